package dev.ferry.server;

import java.util.List;

/**
 * nsqd's flags for registering with nsqlookupd, read and checked by {@code ferry server}, which
 * registers with each address given (see {@link dev.ferry.nsq.LookupdRegistration}).
 *
 * @param addresses {@code --lookupd-tcp-address}, each given (in the file: {@code nsqlookupd_tcp_addresses})
 * @param broadcastTcpPort {@code --broadcast-tcp-port}: the TCP port to register, 0 for the one listened on
 * @param broadcastHttpPort {@code --broadcast-http-port}: the HTTP port to register, 0 for the one listened on
 */
record LookupdFlags(List<HostPort> addresses, int broadcastTcpPort, int broadcastHttpPort) {
    LookupdFlags {
        addresses = List.copyOf(addresses);
    }
}
