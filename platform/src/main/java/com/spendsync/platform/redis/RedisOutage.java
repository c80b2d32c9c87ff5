package com.spendsync.platform.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;

/**
 * The one rule for "Redis cannot serve for now", for verification's fallback to MongoDB and for the 503 a request
 * answers: a connection that failed or is not there (Lettuce refuses commands while disconnected, and cancels
 * those buffered on a connection it closes), a command that timed out, and the replies of a Redis that cannot serve
 * for now (a cluster without a master for the slot or with slots moving, a replica not promoted, too few replicas,
 * a server loading its data, busy with a script, out of memory or of connections), also when a script's call met
 * them. Any other error reply (a wrong type, a script error) is a bug, not an outage, and is not hidden behind a
 * fallback.
 */
public final class RedisOutage {

    private static final List<String> TRANSIENT_REPLIES = List.of("CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN",
            "LOADING", "READONLY", "MOVED", "ASK", "NOREPLICAS", "BUSY", "OOM", "ERR max number of clients");

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
            // a script's call answers "ERR Error running script ... -READONLY ..." on Redis before 7
            return TRANSIENT_REPLIES.stream().anyMatch(token -> message.startsWith(token)
                    || message.contains("-" + token + " "));
        }
        return cause instanceof RedisException || cause instanceof RedisConnectionFailureException
                || cause instanceof QueryTimeoutException || cause instanceof CancellationException;
    }
}
