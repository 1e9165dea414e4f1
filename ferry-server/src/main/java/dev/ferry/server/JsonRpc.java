package dev.ferry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A JSON-RPC 2.0 dispatcher: parses a request (or a batch), calls the registered method and writes
 * the response in Kamailio's jsonrpcs shapes, {@code {"jsonrpc":"2.0","result":..,"id":..}} or
 * {@code {"jsonrpc":"2.0","error":{"code":..,"message":".."},"id":..}}. A method fails by throwing
 * {@link Fault} with its code (Kamailio's methods use HTTP-like codes, 400, 404, 500); the protocol's
 * own errors use the specification's codes (-32700 parse error, -32600 invalid request, -32601
 * method not found, -32602 invalid params).
 *
 * <p>Thread-safe once built; methods are called on the caller's thread and must not block.
 */
final class JsonRpc {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A method: answers its params (an array, an object, or missing) with its result. */
    @FunctionalInterface
    interface Method {
        JsonNode call(Params params);
    }

    /** A method's failure, answered as an {@code error} object. */
    static final class Fault extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;

        Fault(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    /**
     * A request's params, read by position (Kamailio's {@code ["myq"]}) or by name ({@code
     * {"name":"myq"}}), whichever the caller sent.
     */
    static final class Params {
        private final JsonNode node;

        Params(JsonNode node) {
            this.node = node == null ? NODES.missingNode() : node;
        }

        /**
         * The string param at {@code position} or named {@code name}; empty when absent.
         *
         * @throws Fault -32602 when it is there but not a string
         */
        Optional<String> string(int position, String name) {
            JsonNode value = node.isArray() ? node.path(position) : node.path(name);
            if (value.isMissingNode() || value.isNull()) {
                return Optional.empty();
            }
            if (!value.isTextual()) {
                throw new Fault(-32602, "Invalid params: " + name + " must be a string");
            }
            return Optional.of(value.asText());
        }
    }

    private final Map<String, Method> methods;

    private JsonRpc(Map<String, Method> methods) {
        this.methods = Map.copyOf(methods);
    }

    /** Builds a dispatcher; not thread-safe. */
    static final class Builder {
        private final Map<String, Method> methods = new LinkedHashMap<>();

        Builder method(String name, Method method) {
            if (methods.putIfAbsent(name, method) != null) {
                throw new IllegalArgumentException("JSON-RPC method " + name + " registered twice");
            }
            return this;
        }

        JsonRpc build() {
            return new JsonRpc(methods);
        }
    }

    static Builder builder() {
        return new Builder();
    }

    /** The registered method names. */
    List<String> methodNames() {
        return methods.keySet().stream().sorted().toList();
    }

    /**
     * Answers a request body: the response JSON, or empty when nothing is to be sent back (a
     * notification, or a batch of them).
     */
    Optional<byte[]> handle(byte[] body) {
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (IOException e) {
            return Optional.of(write(error(NODES.nullNode(), -32700, "Parse error")));
        }
        if (request == null || request.isMissingNode()) {
            return Optional.of(write(error(NODES.nullNode(), -32700, "Parse error")));
        }
        if (request.isArray()) {
            if (request.isEmpty()) {
                return Optional.of(write(error(NODES.nullNode(), -32600, "Invalid Request")));
            }
            ArrayNode responses = NODES.arrayNode();
            for (JsonNode one : request) {
                ObjectNode r = answer(one);
                if (r != null) {
                    responses.add(r);
                }
            }
            return responses.isEmpty() ? Optional.empty() : Optional.of(write(responses));
        }
        return Optional.ofNullable(answer(request)).map(JsonRpc::write);
    }

    /** One request's response, or null for a notification. */
    private ObjectNode answer(JsonNode request) {
        JsonNode id = request.path("id");
        JsonNode method = request.path("method");
        if (!request.isObject()
                || !"2.0".equals(request.path("jsonrpc").asText(null))
                || !method.isTextual()
                || !(id.isMissingNode() || id.isTextual() || id.isNumber() || id.isNull())) {
            return error(id.isMissingNode() || id.isContainerNode() ? NODES.nullNode() : id, -32600, "Invalid Request");
        }
        boolean notification = id.isMissingNode();
        JsonNode params = request.get("params");
        if (params != null && !params.isArray() && !params.isObject()) {
            return notification ? null : error(id, -32602, "Invalid params");
        }
        Method m = methods.get(method.asText());
        if (m == null) {
            return notification ? null : error(id, -32601, "Method not found");
        }
        ObjectNode response;
        try {
            JsonNode result = m.call(new Params(params));
            response = NODES.objectNode().put("jsonrpc", "2.0");
            response.set("result", result);
            response.set("id", id);
        } catch (Fault f) {
            response = error(id, f.code, f.getMessage());
        }
        return notification ? null : response;
    }

    private static ObjectNode error(JsonNode id, int code, String message) {
        ObjectNode response = NODES.objectNode().put("jsonrpc", "2.0");
        response.putObject("error").put("code", code).put("message", message);
        response.set("id", id);
        return response;
    }

    private static byte[] write(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
