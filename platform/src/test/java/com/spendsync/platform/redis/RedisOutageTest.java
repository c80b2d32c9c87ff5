package com.spendsync.platform.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;

class RedisOutageTest {

    @Test
    void aRedisThatCannotServeForNowIsAnOutageWhereverItIsInTheCauses() {
        assertThat(RedisOutage.in(new RedisConnectionFailureException("refused"))).isTrue();
        assertThat(RedisOutage.in(new QueryTimeoutException("timed out"))).isTrue();
        assertThat(RedisOutage.in(new RedisConnectionException("not connected"))).isTrue();
        assertThat(RedisOutage.in(new RedisCommandTimeoutException("1 s"))).isTrue();
        assertThat(RedisOutage.in(new RedisSystemException("Unknown redis exception",
                new CancellationException()))).as("a command Lettuce cancelled").isTrue();
        for (String reply : new String[] {"CLUSTERDOWN The cluster is down", "TRYAGAIN Multiple keys",
                "MASTERDOWN Link with MASTER is down", "LOADING Redis is loading", "READONLY You can't write",
                "MOVED 3999 127.0.0.1:6381", "ASK 3999 127.0.0.1:6381", "NOREPLICAS Not enough good replicas",
                "BUSY Redis is busy running a script", "OOM command not allowed", "ERR max number of clients reached",
                "ERR Error running script (call to f_1): @user_script:9: -READONLY You can't write against a replica"}) {
            assertThat(RedisOutage.in(new RedisSystemException("wrapped", new RedisCommandExecutionException(reply))))
                    .as(reply).isTrue();
        }
    }

    @Test
    void anErrorReplyOfAWorkingRedisIsABugNotAnOutage() {
        RedisCommandExecutionException scriptError = new RedisCommandExecutionException(
                "ERR user_script:12: attempt to compare nil with number");
        assertThat(RedisOutage.in(new RedisSystemException("wrapped", scriptError))).isFalse();
        assertThat(RedisOutage.in(new RedisCommandExecutionException("WRONGTYPE Operation against a key"))).isFalse();
        assertThat(RedisOutage.in(new IllegalStateException("not Redis"))).isFalse();
    }
}
