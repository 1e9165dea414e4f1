package dev.ferry.redis.internal;

import dev.ferry.spi.Engine;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells watchers ({@link Engine#watch}) of topics and channels coming and going. A change made
 * through this node is told to this node's watchers at once, on the thread that saw the script's
 * answer, and announced on the instance's pub/sub channel {@code <prefix>:topology} for the other
 * nodes, whose watchers hear of it when the announcement arrives (this node skips its own). An
 * announcement lost while a node was disconnected is not replayed: watchers that must be exact read
 * {@link Engine#stats()} again.
 *
 * <p>Thread-safe.
 */
final class Topology {
    private static final Logger log = LoggerFactory.getLogger(Topology.class);
    static final String CHANNEL = "topology";

    private final String nodeId;
    private final Placement placement;
    private final List<Engine.TopologyListener> listeners = new CopyOnWriteArrayList<>();

    Topology(String nodeId, Placement placement) {
        this.nodeId = nodeId;
        this.placement = placement;
    }

    Engine.Registration watch(Engine.TopologyListener listener) {
        listeners.add(listener);
        for (RedisNode node : placement.all()) {
            node.listen(CHANNEL, (channel, message) -> heard(message));
        }
        return () -> listeners.remove(listener);
    }

    void topicCreated(String topic) {
        tell("+", topic, null);
    }

    void topicDeleted(String topic) {
        tell("-", topic, null);
    }

    void channelCreated(String topic, String channel) {
        tell("+", topic, channel);
    }

    void channelDeleted(String topic, String channel) {
        tell("-", topic, channel);
    }

    private void tell(String sign, String topic, String channel) {
        deliver(sign, topic, channel);
        placement.of(topic).announce(CHANNEL, nodeId + " " + sign + topic + (channel == null ? "" : "/" + channel));
    }

    private void heard(String message) {
        int space = message.indexOf(' ');
        if (space <= 0 || message.substring(0, space).equals(nodeId) || message.length() < space + 3) {
            return;
        }
        String sign = message.substring(space + 1, space + 2);
        String name = message.substring(space + 2);
        int slash = name.indexOf('/');
        deliver(sign, slash < 0 ? name : name.substring(0, slash), slash < 0 ? null : name.substring(slash + 1));
    }

    private void deliver(String sign, String topic, String channel) {
        for (Engine.TopologyListener l : listeners) {
            try {
                if (channel == null) {
                    if (sign.equals("+")) {
                        l.topicCreated(topic);
                    } else {
                        l.topicDeleted(topic);
                    }
                } else if (sign.equals("+")) {
                    l.channelCreated(topic, channel);
                } else {
                    l.channelDeleted(topic, channel);
                }
            } catch (RuntimeException e) {
                log.warn("a topology listener failed on {}{}{}", sign, topic, channel == null ? "" : "/" + channel, e);
            }
        }
    }
}
