package dev.ferry.presence.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The fields of one event's JSON, read as Kamailio's json helpers read them: a missing field or
 * {@code null} is the empty string, a number or boolean is its JSON text. Unlike Kamailio, an
 * object or array where a value belongs, or a character XML cannot carry, is an error rather than a
 * string that ends up in a body. Not thread-safe (one per event).
 */
final class EventFields {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode json;

    private EventFields(JsonNode json) {
        this.json = json;
    }

    /**
     * Parses an event's body.
     *
     * @throws MalformedEventException when it is not a JSON object
     */
    static EventFields parse(byte[] body) throws MalformedEventException {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new MalformedEventException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedEventException("not JSON: " + e.getMessage());
        }
        if (json == null || json.isMissingNode()) {
            throw new MalformedEventException("empty body, not a JSON object");
        }
        if (!json.isObject()) {
            throw new MalformedEventException("not a JSON object but " + kind(json));
        }
        return new EventFields(json);
    }

    /**
     * A field as text: empty when missing or null.
     *
     * @throws MalformedEventException when it is an object or array, or holds a character XML 1.0
     *     does not allow
     */
    String text(String name) throws MalformedEventException {
        JsonNode v = json.get(name);
        if (v == null || v.isNull()) {
            return "";
        }
        if (v.isContainerNode()) {
            throw new MalformedEventException(name + " must be a string, not " + kind(v));
        }
        String text = v.asText();
        checkCharacters(name, text);
        return text;
    }

    /**
     * A field that must not be empty.
     *
     * @param what the event, for the message: {@code "presence update"}
     * @throws MalformedEventException when it is missing, empty or unusable
     */
    String required(String name, String what) throws MalformedEventException {
        String text = text(name);
        if (text.isEmpty()) {
            throw new MalformedEventException(what + " without " + name);
        }
        return text;
    }

    /**
     * A whole number that fits an int (a JSON number or a string of digits), {@code absent} when the
     * field is missing or null.
     *
     * @throws MalformedEventException for anything else
     */
    int integer(String name, int absent) throws MalformedEventException {
        JsonNode v = json.get(name);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return v.intValue();
        }
        if (v.isTextual()) {
            try {
                return Integer.parseInt(v.textValue().strip());
            } catch (NumberFormatException e) {
                // reported below with the value
            }
        }
        throw new MalformedEventException(name + " must be a whole number, got " + abbreviate(v.toString()));
    }

    private static void checkCharacters(String name, String text) throws MalformedEventException {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            boolean allowed = cp == 0x9
                    || cp == 0xA
                    || cp == 0xD
                    || (cp >= 0x20 && cp <= 0xD7FF)
                    || (cp >= 0xE000 && cp <= 0xFFFD)
                    || (cp >= 0x10000 && cp <= 0x10FFFF);
            if (!allowed) {
                throw new MalformedEventException(
                        String.format("%s holds a character XML cannot carry (U+%04X at position %d)", name, cp, i));
            }
            i += Character.charCount(cp);
        }
    }

    private static String kind(JsonNode v) {
        return switch (v.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            default -> "null";
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
