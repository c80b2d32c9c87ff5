package com.spendsync.platform.concurrent;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** The one way a failed stage's failure is read back: the exception raised, not the wrapper it travelled in. */
public final class Stages {

    private Stages() {
    }

    /** The failure a stage was completed with, unwrapped from the {@link CompletionException} around it. */
    public static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** The stage's result on the calling thread; its failure thrown as it was raised when that is unchecked. */
    public static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            if (cause(e) instanceof RuntimeException raised) {
                throw raised;
            }
            throw e;
        }
    }
}
