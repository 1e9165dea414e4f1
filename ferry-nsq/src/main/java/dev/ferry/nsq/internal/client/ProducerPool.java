package dev.ferry.nsq.internal.client;

import dev.ferry.FerryException;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.internal.codec.ClientCommand;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where publishes go: one {@link ProducerNode} per broker (or {@link dev.ferry.nsq.PublishOptions#connections()}), taken in turn, skipping brokers whose
 * last connect failed while their backoff lasts. The brokers are the nsqd TCP addresses given, or,
 * without them, the nodes lookupd lists (asked again after each poll interval). A publish may also
 * name its broker ({@link #publishTo}: a query's reply to the asker's node), which opens a connection
 * to a broker outside those lists when needed, at most {@value #MAX_NAMED_NODES} such brokers.
 * Thread-safe.
 */
final class ProducerPool {
    private final EventLoopGroup group;
    private final ConnectOptions options;
    private final LookupdClient lookupd;
    private final Map<String, ProducerNode> nodes = new ConcurrentHashMap<>();
    static final int MAX_NAMED_NODES = 64;

    private final AtomicInteger turn = new AtomicInteger();
    private final AtomicInteger namedNodes = new AtomicInteger();
    private volatile List<String> discovered = List.of();
    private volatile long discoveredAtNanos;
    private CompletableFuture<List<String>> discovering;

    ProducerPool(EventLoopGroup group, ConnectOptions options, LookupdClient lookupd) {
        this.group = group;
        this.options = options;
        this.lookupd = lookupd;
    }

    /** Publishes {@code command} to one broker; the future completes when it answered OK. */
    CompletableFuture<byte[]> publish(ClientCommand command) {
        return targets().thenCompose(addresses -> pick(addresses).request(command));
    }

    /**
     * Publishes {@code command} to the broker at {@code address} ({@code host:port}), over the pool's
     * first connection to it, opened if needed. Null when {@code address} is outside the lists and
     * {@value #MAX_NAMED_NODES} other brokers have been named already.
     */
    CompletableFuture<byte[]> publishTo(String address, ClientCommand command) {
        String key = address + "#0";
        ProducerNode node = nodes.get(key);
        if (node == null) {
            if (namedNodes.incrementAndGet() > MAX_NAMED_NODES) {
                namedNodes.decrementAndGet();
                return null;
            }
            ProducerNode fresh = new ProducerNode(group, options, address);
            node = nodes.putIfAbsent(key, fresh);
            if (node == null) {
                node = fresh;
            } else {
                namedNodes.decrementAndGet();
            }
        }
        return node.request(command);
    }

    private ProducerNode pick(List<String> addresses) {
        int perBroker = options.publishing().connections();
        int slots = addresses.size() * perBroker;
        int start = Math.floorMod(turn.getAndIncrement(), slots);
        ProducerNode first = null;
        for (int i = 0; i < slots; i++) {
            int slot = (start + i) % slots;
            String address = addresses.get(slot % addresses.size());
            ProducerNode node = nodes.computeIfAbsent(
                    address + "#" + slot / addresses.size(), k -> new ProducerNode(group, options, address));
            if (!node.inBackoff()) {
                return node;
            }
            if (first == null) {
                first = node;
            }
        }
        return first; // every broker is backing off: this one fails at once with its last failure
    }

    private CompletableFuture<List<String>> targets() {
        if (!options.discovery().nsqdTcpAddresses().isEmpty()) {
            return CompletableFuture.completedFuture(options.discovery().nsqdTcpAddresses());
        }
        List<String> known = discovered;
        boolean fresh = System.nanoTime() - discoveredAtNanos
                < options.discovery().lookupdPollInterval().toNanos();
        if (!known.isEmpty() && fresh) {
            return CompletableFuture.completedFuture(known);
        }
        synchronized (this) {
            if (discovering == null || discovering.isDone()) {
                discovering = lookupd.nodes().thenApply(found -> {
                    List<String> tcp = new ArrayList<>();
                    found.forEach(n -> tcp.add(n.tcpAddress()));
                    if (tcp.isEmpty()) {
                        throw new FerryException("lookupd "
                                + options.discovery().lookupdHttpAddresses() + " lists no nsqd node to publish to");
                    }
                    discovered = List.copyOf(tcp);
                    discoveredAtNanos = System.nanoTime();
                    return discovered;
                });
            }
            if (!known.isEmpty()) {
                return CompletableFuture.completedFuture(known); // refresh in the background
            }
            return discovering;
        }
    }

    /** Sends what is queued on every connection and closes them. */
    CompletableFuture<Void> close() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        nodes.values().forEach(n -> closing.add(n.close()));
        return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
    }
}
