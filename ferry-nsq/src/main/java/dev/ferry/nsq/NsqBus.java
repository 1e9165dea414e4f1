package dev.ferry.nsq;

import dev.ferry.Bus;
import dev.ferry.nsq.internal.client.NsqClientBus;
import java.util.Objects;

/**
 * Connects a {@link Bus} to brokers over NSQ's TCP protocol: Ferry brokers ({@code ferry server}) or a
 * real nsqd cluster, given directly or found through lookupd. The bus has the same API and semantics
 * as an embedded one: a publish completes when a broker answered OK (a batch is one MPUB, all or
 * nothing); a handler's outcome finishes or requeues its message; subscriptions spread their max in
 * flight over one connection per broker as RDY.
 *
 * <p>This is the full form, with every client setting ({@link ConnectOptions}). ferry-core's {@link
 * Bus#connect(String...)} is the short form for nsqd addresses with the defaults; it finds this
 * transport through {@link dev.ferry.spi.BusConnector} and gives the same bus.
 *
 * <pre>{@code
 * try (Bus bus = NsqBus.connect(ConnectOptions.lookupd("10.0.0.5:4161")
 *         .timeouts(t -> t.heartbeatInterval(Duration.ofSeconds(5)))
 *         .build())) {
 *     bus.publish("orders", body);
 * }
 * }</pre>
 *
 * <p>Both methods return at once, without waiting for any broker: connections are made in the
 * background when first needed and re-made with the reconnect backoff when lost. Thread-safe.
 */
public final class NsqBus {
    private NsqBus() {}

    /** Connects a bus with {@code options}. */
    public static Bus connect(ConnectOptions options) {
        return NsqClientBus.connect(Objects.requireNonNull(options, "options"));
    }

    /**
     * Connects to the given nsqd TCP addresses ({@code host:port}) with the default settings.
     *
     * @throws IllegalArgumentException when no address is given or one is not {@code host:port}
     */
    public static Bus connect(String... nsqdTcpAddresses) {
        return connect(ConnectOptions.nsqd(nsqdTcpAddresses).build());
    }
}
