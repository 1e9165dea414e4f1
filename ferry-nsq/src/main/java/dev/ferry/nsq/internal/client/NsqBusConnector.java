package dev.ferry.nsq.internal.client;

import dev.ferry.Bus;
import dev.ferry.ConnectOptions;
import dev.ferry.spi.BusConnector;

/** The NSQ transport behind {@link Bus#connect(ConnectOptions)}, listed in META-INF/services. */
public final class NsqBusConnector implements BusConnector {
    /** Used by {@link java.util.ServiceLoader}. */
    public NsqBusConnector() {}

    @Override
    public Bus connect(ConnectOptions options) {
        return NsqClientBus.connect(options);
    }
}
