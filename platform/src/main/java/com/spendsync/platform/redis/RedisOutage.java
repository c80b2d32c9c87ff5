package com.spendsync.platform.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import java.util.List;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;

/**
 * The one rule for "Redis cannot serve for now", for verification's fallback to MongoDB and for the 503 a request
 * answers: a connection that failed or is not there (Lettuce refuses commands while disconnected), a command that
 * timed out, and the replies of a Redis that cannot serve yet (a cluster without a master for the slot, a replica
 * not promoted, a server loading its data). Any other error reply (a wrong type, a script error) is a bug, not an
 * outage, and is not hidden behind a fallback.
 */
public final class RedisOutage {

    private static final List<String> TRANSIENT_REPLIES =
            List.of("CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "LOADING", "READONLY");

    private RedisOutage() {
    }

    /** Whether {@code failure} or one of its causes is Redis out of reach. */
    public static boolean in(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (is(cause)) {
                return true;
            }
        }
        return false;
    }

    /** Whether this exception itself, without its causes, is Redis out of reach. */
    public static boolean is(Throwable cause) {
        if (cause instanceof RedisCommandExecutionException reply) {
            String message = String.valueOf(reply.getMessage());
            return TRANSIENT_REPLIES.stream().anyMatch(message::startsWith);
        }
        return cause instanceof RedisException || cause instanceof RedisConnectionFailureException
                || cause instanceof QueryTimeoutException;
    }
}
