package dev.ferry.nsq.internal.client;

import dev.ferry.FerryException;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.spi.ReplyRouting;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Query replies on an NSQ cluster, without waiting for lookupd. Every request names one node as its
 * {@code Server-Node}: the first nsqd TCP address given, or else the first node lookupd's {@code
 * /nodes} lists. The asker's reply topic is subscribed there directly from the start (through lookupd
 * alone it could not be: lookupd lists a topic's nodes only once it exists on them), and a Ferry
 * responder publishes the reply straight to that node, over a connection of its own to it if it has
 * none, instead of wherever its publishes usually go, where nobody may listen. The reply subscription
 * still connects to the other nsqd addresses given and follows lookupd as any subscription does, so
 * a plain NSQ responder that publishes the reply to its own nsqd is heard too (after lookupd's poll).
 *
 * <p>The node is chosen once, when the first query is asked ({@link #chooseNode}); when lookupd does
 * not answer, that query fails and the next one asks again. Thread-safe; nothing here blocks.
 */
final class NsqReplyRouting implements ReplyRouting {
    private static final Logger log = LoggerFactory.getLogger(NsqReplyRouting.class);

    private final ConnectOptions options;
    private final LookupdClient lookupd;
    private final NsqClientBus bus;
    private volatile String node;
    private CompletableFuture<String> choosing;

    /** The routing of {@code bus}, which publishes to a named node ({@link NsqClientBus#publishToNode}). */
    NsqReplyRouting(NsqClientBus bus, ConnectOptions options, LookupdClient lookupd) {
        this.bus = bus;
        this.options = options;
        this.lookupd = lookupd;
        if (!options.discovery().nsqdTcpAddresses().isEmpty()) {
            node = options.discovery().nsqdTcpAddresses().get(0);
        }
    }

    /** The node the reply subscription listens on, once chosen; null before. */
    String chosenNode() {
        return node;
    }

    /**
     * Chooses the node of the reply subscription unless already chosen; the future fails when
     * lookupd lists no node or does not answer.
     */
    CompletableFuture<String> chooseNode() {
        String chosen = node;
        if (chosen != null) {
            return CompletableFuture.completedFuture(chosen);
        }
        synchronized (this) {
            if (choosing == null || choosing.isCompletedExceptionally()) {
                choosing = lookupd.nodes().thenApply(found -> {
                    if (found.isEmpty()) {
                        throw new FerryException("cannot choose a node for the query replies: lookupd "
                                + options.discovery().lookupdHttpAddresses() + " lists no nsqd node");
                    }
                    String first = found.get(0).tcpAddress();
                    synchronized (this) {
                        if (node == null) {
                            node = first;
                            log.info("query replies: listening on nsqd {}, the first node lookupd lists", first);
                        }
                        return node;
                    }
                });
            }
            return choosing;
        }
    }

    /**
     * Where the reply topic is subscribed: the chosen node and the other nsqd addresses given (plus,
     * as for any subscription, the nodes lookupd lists for it).
     */
    List<String> replyAddresses() {
        String chosen = node;
        Set<String> addresses = new LinkedHashSet<>();
        if (chosen != null) {
            addresses.add(chosen);
        }
        addresses.addAll(options.discovery().nsqdTcpAddresses());
        return List.copyOf(addresses);
    }

    @Override
    public Optional<String> replyNode() {
        return Optional.ofNullable(node);
    }

    @Override
    public Optional<CompletableFuture<Void>> publishTo(String node, String topic, byte[] body) {
        if (!isHostPort(node)) {
            log.debug("query reply to topic {}: Server-Node '{}' is not host:port; publishing as usual", topic, node);
            return Optional.empty();
        }
        return bus.publishToNode(node, topic, body);
    }

    /** Whether {@code address} has the form {@code host:port} (IPv6 hosts in brackets). */
    static boolean isHostPort(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1 || address.length() > 300) {
            return false;
        }
        String host = address.substring(0, colon);
        if (host.indexOf(':') >= 0 && !(host.startsWith("[") && host.endsWith("]"))) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (Character.isWhitespace(c) || c == '/' || c == '@') {
                return false;
            }
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            return port > 0 && port < 65536;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
