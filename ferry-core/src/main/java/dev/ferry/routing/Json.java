package dev.ferry.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * JSON helpers for the payloads Ferry's patterns exchange (Jackson underneath): reading a value by
 * a short path, and encoding a value as JSON text. Stateless and thread-safe.
 *
 * <h2>Paths</h2>
 *
 * A path is a list of object keys separated by {@code .}, each optionally followed by array
 * indexes in brackets: {@code Channels[0].switch_url}, {@code a.b[2][0]}, {@code [1].name} (an
 * index first reads a top-level array). Keys are taken literally and case-sensitively; a key
 * holding {@code .} or {@code [} cannot be addressed. A path that is syntactically wrong (an empty
 * key, an unclosed bracket, an index that is not a non-negative integer) is a programming error and
 * throws {@link IllegalArgumentException}.
 *
 * <p>{@link #path} answers a string value as its text, any other value (number, boolean, object,
 * array) as its JSON text ({@code 42}, {@code true}, {@code {"a":1}}), and an empty Optional when
 * any step of the path is missing, indexes past an array's end, meets a value of the wrong kind,
 * or ends on JSON {@code null}.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    /**
     * The value at {@code path} in the JSON text {@code json}: its text when it is a string, else its
     * JSON text; empty when missing or {@code null}.
     *
     * @throws IllegalArgumentException when {@code json} is not JSON or the path is malformed
     */
    public static Optional<String> path(String json, String path) {
        Objects.requireNonNull(json, "json");
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        return path(root, path);
    }

    /**
     * The value at {@code path} under {@code node}: its text when it is a string, else its JSON
     * text; empty when missing or {@code null}.
     *
     * @throws IllegalArgumentException when the path is malformed
     */
    public static Optional<String> path(JsonNode node, String path) {
        return node(node, path).map(Json::text);
    }

    /**
     * The node at {@code path} under {@code node}; empty when missing or JSON {@code null}.
     *
     * @throws IllegalArgumentException when the path is malformed
     */
    public static Optional<JsonNode> node(JsonNode node, String path) {
        Objects.requireNonNull(node, "node");
        JsonNode current = node;
        for (Object step : steps(path)) {
            current = step instanceof Integer index ? current.path(index) : current.path((String) step);
            if (current.isMissingNode()) {
                return Optional.empty();
            }
        }
        return current.isNull() ? Optional.empty() : Optional.of(current);
    }

    /**
     * A value as text the way {@link #path} answers it: a string's own text, else the value's
     * JSON text (numbers as Jackson writes them, e.g. {@code 1.5}, {@code true}, {@code [1,2]}).
     */
    public static String text(JsonNode value) {
        Objects.requireNonNull(value, "value");
        return value.isTextual() ? value.textValue() : value.toString();
    }

    /**
     * Encodes {@code value} as JSON text: a {@link String} becomes a quoted JSON string with
     * quotes, backslashes and control characters escaped ({@code a"b} becomes {@code "a\"b"}), so it
     * can be spliced into a JSON document built as text; numbers, booleans and {@code null} become
     * their literals; maps, lists, records and Jackson nodes become objects and arrays.
     *
     * <p>This is the NSQ module's {@code encode} as its document describes it ("encodes the
     * parameter to JSON"). The Kamailio code behind that document instead percent-escaped the text
     * for an AMQP routing key (a leftover of the kazoo module it was copied from); that form, with
     * its {@code %} and {@code +}, is not even a valid NSQ name, so Ferry keeps the documented
     * intent.
     *
     * @throws IllegalArgumentException when Jackson cannot serialise {@code value}
     */
    public static String encode(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot encode " + value.getClass().getName() + " as JSON: " + e, e);
        }
    }

    /**
     * Parses {@code body} as JSON and returns it when it is an object; empty when it is not JSON
     * or not an object. Never throws for bad input (used on message bodies, which may hold anything).
     */
    static Optional<JsonNode> object(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The steps of a path: {@link String} keys and {@link Integer} indexes. */
    private static List<Object> steps(String path) {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty()) {
            throw badPath(path, 0, "the path is empty");
        }
        List<Object> steps = new ArrayList<>();
        int i = 0;
        int n = path.length();
        while (true) {
            int keyStart = i;
            while (i < n && path.charAt(i) != '.' && path.charAt(i) != '[') {
                if (path.charAt(i) == ']') {
                    throw badPath(path, i, "']' without '['");
                }
                i++;
            }
            if (i > keyStart) {
                steps.add(path.substring(keyStart, i));
            } else if (i >= n || path.charAt(i) != '[' || (keyStart > 0 && path.charAt(keyStart - 1) == '.')) {
                throw badPath(path, i, "empty key");
            }
            while (i < n && path.charAt(i) == '[') {
                int close = path.indexOf(']', i);
                if (close < 0) {
                    throw badPath(path, i, "'[' without ']'");
                }
                String digits = path.substring(i + 1, close);
                if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw badPath(path, i, "an index must be a non-negative integer, got '" + digits + "'");
                }
                steps.add(Integer.parseInt(digits));
                i = close + 1;
            }
            if (i == n) {
                return steps;
            }
            if (path.charAt(i) != '.') {
                throw badPath(path, i, "expected '.' or '['");
            }
            i++;
            if (i == n) {
                throw badPath(path, i, "empty key");
            }
        }
    }

    private static IllegalArgumentException badPath(String path, int at, String why) {
        return new IllegalArgumentException("bad JSON path '" + path + "' at position " + at + ": " + why);
    }
}
