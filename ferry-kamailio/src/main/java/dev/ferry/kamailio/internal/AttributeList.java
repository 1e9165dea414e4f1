package dev.ferry.kamailio.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code attr=value;attr=value;...} syntax of Kamailio's module parameters, as the memory queue
 * and async worker group definitions use it: blanks around names and values are ignored, a trailing
 * {@code ;} is allowed, and an unknown, repeated or valueless attribute is an error naming the
 * definition.
 */
public final class AttributeList {
    private final String text;
    private final Map<String, String> values;

    private AttributeList(String text, Map<String, String> values) {
        this.text = text;
        this.values = values;
    }

    /**
     * Parses {@code text}, accepting only the attribute names in {@code known}.
     *
     * @throws IllegalArgumentException naming the definition and the offending attribute
     */
    public static AttributeList parse(String what, String text, Set<String> known) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(what + " definition is empty");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String part : text.split(";", -1)) {
            if (part.isBlank()) {
                continue; // a trailing or doubled ';'
            }
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(
                        what + " definition \"" + text + "\": \"" + part.strip() + "\" is not attr=value");
            }
            String name = part.substring(0, eq).strip();
            String value = part.substring(eq + 1).strip();
            if (!known.contains(name)) {
                throw new IllegalArgumentException(what + " definition \"" + text + "\": unknown attribute \"" + name
                        + "\" (known: " + String.join(", ", known) + ")");
            }
            if (values.putIfAbsent(name, value) != null) {
                throw new IllegalArgumentException(
                        what + " definition \"" + text + "\": attribute \"" + name + "\" given twice");
            }
        }
        return new AttributeList(text, Collections.unmodifiableMap(values));
    }

    /** The value of {@code name}, or null when absent. */
    public String get(String name) {
        return values.get(name);
    }

    /**
     * The integer value of {@code name}, or {@code absent} when the attribute is not given.
     *
     * @throws IllegalArgumentException when the value is not an integer
     */
    public int getInt(String name, int absent) {
        String value = values.get(name);
        if (value == null) {
            return absent;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "definition \"" + text + "\": " + name + " must be an integer, got \"" + value + "\"");
        }
    }

    /** The definition text, for error messages. */
    public String text() {
        return text;
    }
}
