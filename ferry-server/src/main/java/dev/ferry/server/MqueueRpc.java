package dev.ferry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ferry.mqueue.MemoryQueueItem;
import dev.ferry.mqueue.MemoryQueueStats;
import dev.ferry.mqueue.MemoryQueues;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code mqueue.*} JSON-RPC methods over a {@link MemoryQueues}, with Kamailio's result shapes
 * and fault codes, and {@code mqueue.add} for remote producers:
 *
 * <ul>
 *   <li>{@code mqueue.get_size [name]} → {@code {"name":"myq","size":3}}; 400 "No queue name", 400
 *       "Invalid queue name" (empty), 404 "No such queue";
 *   <li>{@code mqueue.get_sizes} → {@code [{"name":..,"size":..}, ...]}, the newest definition first
 *       as Kamailio lists them;
 *   <li>{@code mqueue.fetch [name]} → {@code {"key":"k3","val":"v3"}}; 404 "Empty queue", 500 "No
 *       such queue", 500 "No queue name", 500 "Invalid queue name". An item with an empty key or
 *       value is returned as it is (Kamailio answers 500 "Unexpected error" after removing it, so
 *       the item is lost);
 *   <li>{@code mqueue.add [name, key, value]} → {@code {"name":"myq","result":"added","size":1}}
 *       (result {@code added}, {@code kept_existing} or {@code replaced}); 400 "No queue name",
 *       "Invalid queue name", "No key", "No value"; 404 "No such queue".
 * </ul>
 *
 * <p>Params by position or by name ({@code name}, {@code key}, {@code value}). Thread-safe; never
 * blocks.
 */
final class MqueueRpc {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MqueueRpc() {}

    /** Registers the four methods on {@code rpc}. */
    static JsonRpc.Builder register(JsonRpc.Builder rpc, MemoryQueues queues) {
        return rpc.method("mqueue.get_size", p -> getSize(queues, p))
                .method("mqueue.get_sizes", p -> getSizes(queues))
                .method("mqueue.fetch", p -> fetch(queues, p))
                .method("mqueue.add", p -> add(queues, p));
    }

    private static String name(JsonRpc.Params p, int missingOrInvalidCode) {
        String name = p.string(0, "name").orElseThrow(() -> new JsonRpc.Fault(missingOrInvalidCode, "No queue name"));
        if (name.isEmpty()) {
            throw new JsonRpc.Fault(missingOrInvalidCode, "Invalid queue name");
        }
        return name;
    }

    private static JsonNode getSize(MemoryQueues queues, JsonRpc.Params p) {
        String name = name(p, 400);
        if (!queues.contains(name)) {
            throw new JsonRpc.Fault(404, "No such queue");
        }
        return NODES.objectNode().put("name", name).put("size", queues.size(name));
    }

    private static JsonNode getSizes(MemoryQueues queues) {
        ArrayNode sizes = NODES.arrayNode();
        List<MemoryQueueStats> stats = queues.stats();
        for (int i = stats.size() - 1; i >= 0; i--) {
            sizes.addObject()
                    .put("name", stats.get(i).name())
                    .put("size", stats.get(i).size());
        }
        return sizes;
    }

    private static JsonNode fetch(MemoryQueues queues, JsonRpc.Params p) {
        String name = name(p, 500);
        if (!queues.contains(name)) {
            throw new JsonRpc.Fault(500, "No such queue");
        }
        Optional<MemoryQueueItem> item = queues.fetch(name);
        if (item.isEmpty()) {
            throw new JsonRpc.Fault(404, "Empty queue");
        }
        return NODES.objectNode()
                .put("key", item.get().key())
                .put("val", item.get().value());
    }

    private static JsonNode add(MemoryQueues queues, JsonRpc.Params p) {
        String name = name(p, 400);
        String key = p.string(1, "key").orElseThrow(() -> new JsonRpc.Fault(400, "No key"));
        String value = p.string(2, "value").orElseThrow(() -> new JsonRpc.Fault(400, "No value"));
        if (!queues.contains(name)) {
            throw new JsonRpc.Fault(404, "No such queue");
        }
        MemoryQueues.AddResult result = queues.add(name, key, value);
        return NODES.objectNode()
                .put("name", name)
                .put("result", result.name().toLowerCase(Locale.ROOT))
                .put("size", queues.size(name));
    }
}
