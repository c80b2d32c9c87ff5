package com.spendsync.platform.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Lua scripts shipped in the jars. The text is read once, at class initialisation: a script built on a classpath
 * resource asks the resource for its modification time on every call to decide whether to hash it again, which on
 * the verify path cost more than the rest of the Redis call.
 */
public final class RedisScripts {

    private RedisScripts() {
    }

    /**
     * The script at {@code path}, read through {@code owner}'s class loader (a thread's context loader may belong to a
     * web application that stops before us).
     */
    public static <T> RedisScript<T> load(Class<?> owner, String path, Class<T> resultType) {
        try (InputStream in = owner.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("no script " + path + " next to " + owner.getName());
            }
            return RedisScript.of(new String(in.readAllBytes(), StandardCharsets.UTF_8), resultType);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the script " + path, e);
        }
    }
}
