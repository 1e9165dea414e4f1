package dev.ferry.nsq.internal.lookupd;

/**
 * What the TCP connections and the HTTP requests of one lookupd share: the registration database,
 * the options, and the ports the lookupd listens on (known once they are bound).
 *
 * <p>Thread-safe: the database is, and the ports are volatile.
 */
public final class LookupdState {
    final RegistrationDb db = new RegistrationDb();
    final LookupdOptions options;
    private volatile int tcpPort;
    private volatile int httpPort;

    /** The state of a lookupd with these options and an empty database. */
    public LookupdState(LookupdOptions options) {
        this.options = options;
    }

    /** Sets the ports the IDENTIFY answer gives, once they are bound. */
    public void ports(int tcp, int http) {
        this.tcpPort = tcp;
        this.httpPort = http;
    }

    int tcpPort() {
        return tcpPort;
    }

    int httpPort() {
        return httpPort;
    }

    long now() {
        return options.clock().millis();
    }

    /** The producers of a lookup that are still listed: pinged lately and not tombstoned. */
    boolean active(Producer p, long now) {
        return p.active(
                now,
                options.inactiveProducerTimeout().toMillis(),
                options.tombstoneLifetime().toMillis());
    }
}
