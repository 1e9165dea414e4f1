package dev.ferry;

/**
 * NSQ's rules for topic and channel names: 1 to 64 characters of {@code [.a-zA-Z0-9_-]}, the
 * length including an optional {@code #ephemeral} suffix. An ephemeral topic or channel lives in
 * memory only.
 */
public final class Names {
    /** The suffix that makes a topic or channel ephemeral. */
    public static final String EPHEMERAL_SUFFIX = "#ephemeral";

    /** The longest valid name, suffix included. */
    public static final int MAX_LENGTH = 64;

    private static final String RULE = "names are 1-64 characters of [.a-zA-Z0-9_-], optionally ending in #ephemeral";

    private Names() {}

    /** Whether {@code name} is a valid topic or channel name. */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            return false;
        }
        int end = name.endsWith(EPHEMERAL_SUFFIX) ? name.length() - EPHEMERAL_SUFFIX.length() : name.length();
        if (end == 0) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether a (valid) name carries the {@code #ephemeral} suffix. */
    public static boolean isEphemeral(String name) {
        return name.endsWith(EPHEMERAL_SUFFIX);
    }

    /**
     * Returns {@code name} when it is a valid topic name.
     *
     * @throws InvalidNameException naming the value and the rule
     */
    public static String checkTopic(String name) {
        return check("topic", name);
    }

    /**
     * Returns {@code name} when it is a valid channel name.
     *
     * @throws InvalidNameException naming the value and the rule
     */
    public static String checkChannel(String name) {
        return check("channel", name);
    }

    private static String check(String kind, String name) {
        if (!isValid(name)) {
            String shown = name == null ? "null" : '"' + name + '"';
            throw new InvalidNameException("invalid " + kind + " name " + shown + ": " + RULE);
        }
        return name;
    }
}
