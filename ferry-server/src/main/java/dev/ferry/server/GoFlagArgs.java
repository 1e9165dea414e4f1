package dev.ferry.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads command-line arguments by the rules of Go's {@code flag} package, which nsqd uses, and gives
 * them back in the one form picocli is handed: {@code --name=value}.
 *
 * <p>Go's rules: a flag is {@code -name} or {@code --name}, its value follows after {@code =} or as
 * the next argument. A boolean flag alone means true and takes a value only after {@code =}
 * ({@code -snappy=false}); {@code -snappy false} is the flag, then an argument. Parsing stops at the
 * first argument that is not a flag and after {@code --}. nsqd ignores whatever is left, and with it
 * any flag after a stray word; {@code ferry server} takes no arguments, so it reports them. A flag
 * given twice keeps its last value, unless it is repeatable.
 */
final class GoFlagArgs {
    private GoFlagArgs() {}

    /** How a flag takes its value. */
    enum Arity {
        /** Needs a value: {@code -f v}, {@code -f=v}. */
        VALUE,
        /** A Go boolean: alone means true; a value only after {@code =}, in any of Go's spellings. */
        BOOLEAN,
        /**
         * Go's "boolean flag" whose values are its own ({@code --tls-required=tcp-https}): alone means
         * {@code true}; a value only after {@code =}, passed on as written.
         */
        BOOLEAN_LIKE,
        /** An action such as {@code --help}: given alone or {@code =true}; {@code =false} drops it. */
        ACTION
    }

    /**
     * One flag.
     *
     * @param name the canonical name, {@code --tcp-address}
     * @param arity how it takes its value
     * @param repeatable whether every occurrence counts ({@code --lookupd-tcp-address}), not the last
     */
    record Flag(String name, Arity arity, boolean repeatable) {}

    /**
     * One flag as given, in canonical form.
     *
     * @param name the canonical name
     * @param value the value, or null for an {@link Arity#ACTION}
     */
    record Arg(String name, String value) {
        /** The argument picocli is given. */
        String token() {
            return value == null ? name : name + "=" + value;
        }
    }

    /**
     * Reads {@code args}.
     *
     * @param flags the flags by every name Go may spell them with, without dashes ({@code tcp-address},
     *     {@code h})
     * @return the flags given, in order, a non-repeatable one only once, with its last value
     * @throws IllegalArgumentException naming the argument: an unknown flag, a missing or bad boolean
     *     value, or any argument that is not a flag
     */
    static List<Arg> read(List<String> args, Map<String, Flag> flags) {
        List<Arg> read = new ArrayList<>();
        String previousBoolean = null; // a boolean flag given alone just before: the likely cause of a stray word
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                if (i + 1 < args.size()) {
                    throw new IllegalArgumentException("unexpected argument \"" + args.get(i + 1)
                            + "\" after \"--\": ferry server takes flags only");
                }
                break;
            }
            if (arg.length() < 2 || arg.charAt(0) != '-') {
                throw new IllegalArgumentException("unexpected argument \"" + arg
                        + "\": ferry server takes flags only"
                        + (previousBoolean == null
                                ? ""
                                : " (a boolean flag takes its value after \"=\", as in " + previousBoolean
                                        + "=false)"));
            }
            String spelled = arg.substring(arg.charAt(1) == '-' ? 2 : 1);
            if (spelled.isEmpty() || spelled.charAt(0) == '-' || spelled.charAt(0) == '=') {
                throw new IllegalArgumentException("bad flag syntax: " + arg);
            }
            int eq = spelled.indexOf('=');
            String name = eq < 0 ? spelled : spelled.substring(0, eq);
            String value = eq < 0 ? null : spelled.substring(eq + 1);
            String as = arg.substring(0, arg.length() - spelled.length()) + name; // as given, without a value
            Flag flag = flags.get(name);
            if (flag == null) {
                throw new IllegalArgumentException("unknown flag: " + as);
            }
            previousBoolean = null;
            switch (flag.arity()) {
                case VALUE -> {
                    if (value == null) {
                        if (i + 1 == args.size()) {
                            throw new IllegalArgumentException("flag needs a value: " + as);
                        }
                        value = args.get(++i); // Go takes the next argument whatever it looks like
                    }
                    read.add(new Arg(flag.name(), value));
                }
                case BOOLEAN -> {
                    previousBoolean = value == null ? as : null;
                    read.add(new Arg(flag.name(), String.valueOf(value == null || bool(as, value))));
                }
                case BOOLEAN_LIKE -> {
                    previousBoolean = value == null ? as : null;
                    read.add(new Arg(flag.name(), value == null ? "true" : value));
                }
                case ACTION -> {
                    if (value == null || bool(as, value)) {
                        read.add(new Arg(flag.name(), null));
                    }
                }
            }
        }
        return lastOfEach(read, flags);
    }

    private static boolean bool(String flag, String value) {
        try {
            return GoValues.parseBool(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value for " + flag + ": " + e.getMessage(), e);
        }
    }

    /** Drops the earlier occurrences of each flag that is not repeatable: Go keeps the last value. */
    private static List<Arg> lastOfEach(List<Arg> read, Map<String, Flag> flags) {
        Map<String, Boolean> repeatable = new HashMap<>();
        flags.values().forEach(f -> repeatable.put(f.name(), f.repeatable()));
        Map<String, Integer> last = new HashMap<>();
        for (int i = 0; i < read.size(); i++) {
            last.put(read.get(i).name(), i);
        }
        List<Arg> kept = new ArrayList<>();
        for (int i = 0; i < read.size(); i++) {
            Arg a = read.get(i);
            if (repeatable.get(a.name()) || last.get(a.name()) == i) {
                kept.add(a);
            }
        }
        return kept;
    }
}
