package dev.ferry.server;

import picocli.CommandLine;

/**
 * Booleans and integers written as nsqd's Go flags read them, so that a value nsqd accepts means the
 * same here: {@code strconv.ParseBool} and {@code strconv.ParseInt(s, 0, 64)}. The nested classes are
 * picocli converters.
 */
final class GoValues {
    private GoValues() {}

    /**
     * Reads a boolean as Go does: {@code 1 t T TRUE true True} and {@code 0 f F FALSE false False}.
     *
     * @throws IllegalArgumentException naming the text, when it is none of those
     */
    static boolean parseBool(String text) {
        return switch (text) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default ->
                throw new IllegalArgumentException(
                        "\"" + text + "\" is not a boolean (true or false; Go also reads 1, 0, t, f)");
        };
    }

    /**
     * Reads an integer as Go's flags do: an optional sign, then decimal, or {@code 0x} hex, {@code 0o}
     * or a leading {@code 0} for octal, {@code 0b} binary; {@code _} may separate digits.
     *
     * @throws IllegalArgumentException naming the text, when it is not an integer or not a 64-bit one
     */
    static long parseInt(String text) {
        String s = text;
        boolean negative = s.startsWith("-");
        if (negative || s.startsWith("+")) {
            s = s.substring(1);
        }
        int radix = 10;
        boolean prefixed = false;
        if (s.length() >= 2 && s.charAt(0) == '0') {
            prefixed = true;
            char base = Character.toLowerCase(s.charAt(1));
            if (base == 'x' || base == 'o' || base == 'b') {
                radix = base == 'x' ? 16 : base == 'o' ? 8 : 2;
                s = s.substring(2);
            } else {
                radix = 8; // Go reads a leading 0 as octal
                s = s.substring(1);
            }
        }
        if (!digitsOk(s, radix, prefixed)) {
            throw new IllegalArgumentException("\"" + text + "\" is not an integer");
        }
        try {
            return Long.parseLong((negative ? "-" : "") + s.replace("_", ""), radix);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\" is out of range for a 64-bit integer");
        }
    }

    /** Go's rule: digits of the radix, each {@code _} between two digits or after the base prefix. */
    private static boolean digitsOk(String s, int radix, boolean prefixed) {
        if (s.isEmpty() || s.endsWith("_") || s.contains("__") || (s.startsWith("_") && !prefixed)) {
            return false;
        }
        boolean anyDigit = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '_') {
                if (Character.digit(c, radix) < 0) {
                    return false;
                }
                anyDigit = true;
            }
        }
        return anyDigit;
    }

    /** Converts a flag value to an {@code int} by Go's rules ({@link #parseInt}). */
    static final class Int implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            long n = converted(value);
            if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
                throw new CommandLine.TypeConversionException(
                        "\"" + value + "\" is out of range for Ferry (at most " + Integer.MAX_VALUE + ")");
            }
            return (int) n;
        }
    }

    /** Converts a flag value to a {@code long} by Go's rules ({@link #parseInt}). */
    static final class Int64 implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return converted(value);
        }
    }

    /** Converts a flag value to a {@code double}, as Go's {@code strconv.ParseFloat} would. */
    static final class Float64 implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            try {
                return Double.parseDouble(value.trim());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("\"" + value + "\" is not a number");
            }
        }
    }

    /** {@link #parseInt}, failing as picocli reports a bad value: with the message alone. */
    private static long converted(String value) {
        try {
            return parseInt(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
