package com.spendsync.platform.concurrent;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A service's background job: one daemon thread of its own, named so a thread dump tells what it is. */
public final class BackgroundSchedule {

    private BackgroundSchedule() {
    }

    public static ScheduledExecutorService named(String threadName) {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }
}
