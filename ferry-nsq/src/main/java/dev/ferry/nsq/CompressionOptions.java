package dev.ferry.nsq;

import java.util.Objects;

/**
 * The compression a connection asks for in IDENTIFY; the broker must allow it (nsqd's {@code
 * --snappy}, {@code --deflate}), else the connection stays uncompressed. Immutable.
 *
 * @param algorithm what to ask for (default {@link Algorithm#NONE})
 * @param deflateLevel the DEFLATE level asked for, 1 to 9 (default 6; nsqd caps it at its {@code
 *     --max-deflate-level}); ignored unless the algorithm is {@link Algorithm#DEFLATE}
 */
public record CompressionOptions(Algorithm algorithm, int deflateLevel) {
    /** No compression (the default). */
    public static final CompressionOptions NONE = new CompressionOptions(Algorithm.NONE, 6);

    /** A compression algorithm of NSQ's protocol. */
    public enum Algorithm {
        /** No compression. */
        NONE,
        /** Snappy, in the snappy framing format. */
        SNAPPY,
        /** Raw DEFLATE at {@link CompressionOptions#deflateLevel()}. */
        DEFLATE
    }

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException when the DEFLATE level is not within 1..9
     */
    public CompressionOptions {
        Objects.requireNonNull(algorithm, "algorithm");
        if (deflateLevel < 1 || deflateLevel > 9) {
            throw new IllegalArgumentException("deflateLevel must be within 1..9, got " + deflateLevel);
        }
    }

    /** Snappy compression. */
    public static CompressionOptions snappy() {
        return new CompressionOptions(Algorithm.SNAPPY, NONE.deflateLevel());
    }

    /**
     * DEFLATE at {@code level}.
     *
     * @throws IllegalArgumentException when the level is not within 1..9
     */
    public static CompressionOptions deflate(int level) {
        return new CompressionOptions(Algorithm.DEFLATE, level);
    }
}
