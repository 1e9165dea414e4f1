package dev.ferry.redis.internal;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts that keep queues in node busmq's layout ({@code busmq-*.lua} next to this class):
 * each one atomic step on the queue's instance, with the queue's keys as {@code KEYS}.
 */
enum BusmqScript {
    /** Creates the metadata when missing (a stored ttl wins) and renews the keys' expiry. */
    ATTACH("busmq-attach.lua", ScriptOutputType.MULTI),
    /** Pushes a batch, refused as a whole past the stored maxsize, and notifies {@code :available}. */
    PUSH("busmq-push.lua", ScriptOutputType.INTEGER),
    /** Takes up to n pairs off the head (into {@code :toack} in reliable mode). */
    TAKE("busmq-take.lua", ScriptOutputType.MULTI),
    /** Cumulative acknowledgement, and restoring what was not acknowledged. */
    ACK("busmq-ack.lua", ScriptOutputType.INTEGER);

    private final String source;
    private final String sha;
    private final ScriptOutputType output;

    BusmqScript(String file, ScriptOutputType output) {
        this.source = read(file);
        this.sha = sha1(source.getBytes(StandardCharsets.UTF_8));
        this.output = output;
    }

    /** Runs the script on {@code redis}; sends its text once when the instance lost its script cache. */
    <T> T run(RedisCommands<String, String> redis, String[] keys, String... args) {
        try {
            return redis.evalsha(sha, output, keys, args);
        } catch (RedisNoScriptException e) {
            return redis.eval(source, output, keys, args);
        }
    }

    /**
     * Runs the script without waiting; the stage completes on a Lettuce thread (after one more
     * round trip with the text when the instance lost its script cache).
     */
    <T> java.util.concurrent.CompletableFuture<T> runAsync(
            io.lettuce.core.api.async.RedisAsyncCommands<String, String> redis, String[] keys, String... args) {
        java.util.concurrent.CompletableFuture<T> first =
                redis.<T>evalsha(sha, output, keys, args).toCompletableFuture();
        return first.exceptionallyCompose(e -> RedisErrors.unwrap(e) instanceof RedisNoScriptException
                ? redis.<T>eval(source, output, keys, args).toCompletableFuture()
                : java.util.concurrent.CompletableFuture.failedFuture(e));
    }

    private static String read(String file) {
        try (InputStream in = BusmqScript.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + file + " of ferry-redis");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }
}
