package dev.ferry.redis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts of the engine, one per atomic step (the resources next to this class, each with
 * {@code prelude.lua} in front). Each runs on the instance that holds its topic with {@code KEYS[1]}
 * the topic's key prefix and {@code KEYS[2]} the instance's set of topic names.
 */
enum Script {
    /** Appends a batch (MPUB in one call) to every channel, or to what the topic holds. */
    PUBLISH("publish.lua"),
    /** Hands out up to n ready messages as leases, after moving what came due. */
    CLAIM("claim.lua"),
    /** Finishes, requeues, touches or expires leases of one channel, several per call. */
    ANSWER("answer.lua"),
    /** Whether a claim could hand out something now. */
    PEEK("peek.lua"),
    /** Creates, deletes, empties and pauses topics and channels; counts consumers. */
    ADMIN("admin.lua"),
    /** One topic's statistics. */
    STATS("stats.lua");

    private final byte[] source;
    private final String sha;

    Script(String file) {
        String text = read("prelude.lua") + "\n" + read(file);
        this.source = text.getBytes(StandardCharsets.UTF_8);
        this.sha = sha1(source);
    }

    /** The script's text, for EVAL when the instance does not have it cached (after a restart). */
    byte[] source() {
        return source.clone();
    }

    /** The SHA-1 that EVALSHA names it by. */
    String sha() {
        return sha;
    }

    private static String read(String file) {
        try (InputStream in = Script.class.getResourceAsStream(file)) {
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
