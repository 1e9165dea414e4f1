package dev.ferry.nsq.internal.lookupd;

/**
 * A node connected over the TCP protocol, as it identified itself. One object for each connection,
 * shared by every registration the node makes on it; {@link #lastUpdate} moves with each PING.
 *
 * <p>Immutable but for {@code lastUpdate}, which is volatile: written by the connection's event loop,
 * read by HTTP requests.
 */
final class PeerInfo {
    final String id;
    final String remoteAddress;
    final String hostname;
    final String broadcastAddress;
    final int tcpPort;
    final int httpPort;
    final String version;
    private volatile long lastUpdateMillis;

    PeerInfo(
            String id,
            String remoteAddress,
            String hostname,
            String broadcastAddress,
            int tcpPort,
            int httpPort,
            String version,
            long nowMillis) {
        this.id = id;
        this.remoteAddress = remoteAddress;
        this.hostname = hostname;
        this.broadcastAddress = broadcastAddress;
        this.tcpPort = tcpPort;
        this.httpPort = httpPort;
        this.version = version;
        this.lastUpdateMillis = nowMillis;
    }

    /** When the node last identified or pinged, in the lookupd clock's milliseconds. */
    long lastUpdate() {
        return lastUpdateMillis;
    }

    void touch(long nowMillis) {
        lastUpdateMillis = nowMillis;
    }

    /** {@code broadcast_address:http_port}, the name {@code /topic/tombstone} gives a node by. */
    String httpAddress() {
        return broadcastAddress + ":" + httpPort;
    }
}
