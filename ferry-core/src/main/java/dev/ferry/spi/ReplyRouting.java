package dev.ferry.spi;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * How a bus whose transport has several nodes (an NSQ cluster) routes query replies, so a reply
 * need not wait for discovery to find the asker's reply topic: the asker names the node holding its
 * reply topic in each request ({@link dev.ferry.Query#SERVER_NODE}), and a responder publishes
 * there directly. A single-node bus (embedded, one broker) uses {@link #SINGLE_NODE}.
 *
 * <p>Implementations are thread-safe and do not block.
 */
public interface ReplyRouting {
    /** One node: requests name no node and replies go through the bus's ordinary publish. */
    ReplyRouting SINGLE_NODE = new ReplyRouting() {
        @Override
        public Optional<String> replyNode() {
            return Optional.empty();
        }

        @Override
        public Optional<CompletableFuture<Void>> publishTo(String node, String topic, byte[] body) {
            return Optional.empty();
        }
    };

    /**
     * The node ({@code host:port} of its TCP address) that holds this bus's reply topic, named in
     * requests; empty when there is nothing to name.
     */
    Optional<String> replyNode();

    /**
     * Publishes {@code body} to {@code topic} on {@code node} (a request's {@link
     * dev.ferry.Query#SERVER_NODE}); the future completes when the node has stored it. Empty when
     * this bus cannot address that node, and the reply goes through the bus's ordinary publish.
     */
    Optional<CompletableFuture<Void>> publishTo(String node, String topic, byte[] body);
}
