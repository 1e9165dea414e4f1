package dev.ferry.spi;

import dev.ferry.Bus;
import dev.ferry.ConnectOptions;

/**
 * A transport that gives the {@link Bus} API over a network protocol: what {@link
 * Bus#connect(ConnectOptions)} finds with {@link java.util.ServiceLoader}. ferry-nsq provides the one
 * implementation (NSQ's TCP protocol, with lookupd discovery), listed in its {@code
 * META-INF/services/dev.ferry.spi.BusConnector}; ferry-core itself knows nothing about sockets.
 *
 * <p>Implementations are stateless factories with a public no-argument constructor and are
 * thread-safe.
 */
public interface BusConnector {
    /**
     * Connects a bus with {@code options}. Returns without waiting for every broker: connections are
     * made in the background and retried with the reconnect backoff.
     *
     * @throws dev.ferry.FerryException when the options cannot be used by this transport
     */
    Bus connect(ConnectOptions options);
}
