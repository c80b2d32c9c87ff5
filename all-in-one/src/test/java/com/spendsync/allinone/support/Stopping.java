package com.spendsync.allinone.support;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** How the tests stop a process they started: SIGTERM, and SIGKILL if it has not ended within the bound. */
public final class Stopping {

    private Stopping() {
    }

    public static void stop(Process process, Duration bound) {
        process.destroy();
        try {
            if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
