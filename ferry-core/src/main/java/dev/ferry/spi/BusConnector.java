package dev.ferry.spi;

import dev.ferry.Bus;
import java.util.List;

/**
 * A transport that gives the {@link Bus} API over a network protocol: what {@link
 * Bus#connect(String...)} finds with {@link java.util.ServiceLoader}. ferry-nsq provides the one
 * implementation (NSQ's TCP protocol), listed in its {@code
 * META-INF/services/dev.ferry.spi.BusConnector}; ferry-core itself knows nothing about sockets. The
 * transport's own entry point takes its full settings (ferry-nsq's {@code dev.ferry.nsq.NsqBus}).
 *
 * <p>Implementations are stateless factories with a public no-argument constructor and are
 * thread-safe.
 */
public interface BusConnector {
    /**
     * Connects a bus to the brokers at {@code nsqdTcpAddresses} ({@code host:port}, at least one)
     * with the transport's default settings. Returns without waiting for any broker: connections are
     * made in the background and retried with the reconnect backoff.
     *
     * @throws IllegalArgumentException when no address is given or one is not {@code host:port}
     */
    Bus connect(List<String> nsqdTcpAddresses);
}
