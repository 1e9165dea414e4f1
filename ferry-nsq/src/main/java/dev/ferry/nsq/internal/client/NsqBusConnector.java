package dev.ferry.nsq.internal.client;

import dev.ferry.Bus;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.NsqBus;
import dev.ferry.spi.BusConnector;
import java.util.List;

/** The NSQ transport behind {@link Bus#connect(String...)}, listed in META-INF/services. */
public final class NsqBusConnector implements BusConnector {
    /** Used by {@link java.util.ServiceLoader}. */
    public NsqBusConnector() {}

    @Override
    public Bus connect(List<String> nsqdTcpAddresses) {
        return NsqBus.connect(
                ConnectOptions.nsqd(nsqdTcpAddresses.toArray(String[]::new)).build());
    }
}
