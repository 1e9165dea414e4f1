package dev.ferry.nsq;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One secret a broker accepts from federating peers, and what a peer holding it may touch: the
 * topics (queues are topics too) whose names match one of {@code patterns}, to read (SUB), write
 * (PUB, MPUB, DPUB) or both. The peer proves it holds the secret by answering a challenge ({@link
 * FederationSettings}); the secret itself never crosses the wire. Immutable; {@link #toString()}
 * never shows the secret.
 *
 * @param name what the peer names when it answers, and what the broker's log says (letters, digits,
 *     {@code .}, {@code _}, {@code -})
 * @param secret the shared secret, at least 16 characters
 * @param access what the secret allows on the topics it names
 * @param patterns topic name patterns, at least one; {@code *} stands for any run of characters, every
 *     other character for itself ({@code orders.*}, {@code *})
 */
public record FederationSecret(String name, String secret, Access access, List<String> patterns) {
    /** The shortest secret accepted: shorter ones are too easy to guess offline from a captured answer. */
    public static final int MIN_SECRET_LENGTH = 16;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern TOPIC_PATTERN = Pattern.compile("[A-Za-z0-9._#*-]{1,64}");

    /** What a secret allows on the topics it names. */
    public enum Access {
        /** SUB: consume. */
        READ,
        /** PUB, MPUB and DPUB: publish. */
        WRITE,
        /** Both. */
        READ_WRITE;

        /** Whether this access includes {@code needed}. */
        public boolean includes(Access needed) {
            return this == READ_WRITE || this == needed;
        }
    }

    /**
     * Validates and copies the settings.
     *
     * @throws IllegalArgumentException naming the setting and what is wrong with it
     */
    public FederationSecret {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(access, "access");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a federation secret's name must be 1 to 64 letters, digits, '.', '_'"
                    + " or '-', got \"" + name + '"');
        }
        if (secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("federation secret \"" + name + "\" is " + secret.length()
                    + " characters long; it must have at least " + MIN_SECRET_LENGTH);
        }
        patterns = List.copyOf(patterns);
        if (patterns.isEmpty()) {
            throw new IllegalArgumentException(
                    "federation secret \"" + name + "\" names no topic pattern; give at least one (* for all)");
        }
        for (String p : patterns) {
            if (!TOPIC_PATTERN.matcher(p).matches()) {
                throw new IllegalArgumentException("federation secret \"" + name + "\": \"" + p
                        + "\" is not a topic name pattern (topic name characters and *)");
            }
        }
    }

    /** Whether this secret allows {@code needed} on {@code topic}. Thread-safe. */
    public boolean allows(Access needed, String topic) {
        if (!access.includes(needed)) {
            return false;
        }
        for (String p : patterns) {
            if (globMatches(p, topic)) {
                return true;
            }
        }
        return false;
    }

    /** {@code *} matches any run of characters (none included); every other character matches itself. */
    static boolean globMatches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int mark = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    @Override
    public String toString() {
        return "FederationSecret[" + name + ", " + access + " " + patterns + "]";
    }
}
