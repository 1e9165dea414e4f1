package dev.ferry.nsq.internal.client;

import dev.ferry.Bus;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.FederationKey;
import dev.ferry.nsq.NsqBus;
import dev.ferry.nsq.internal.federation.FederationUrl;
import dev.ferry.spi.BusConnector;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The NSQ transport behind {@link Bus#connect(String...)}, listed in META-INF/services. An address is
 * {@code host:port} (NSQ's TCP protocol) or a federation URL, {@code ws://NAME:SECRET@host:port/federate}
 * or {@code wss://...}: the user information is the federation key, kept on this side to answer the
 * broker's challenge and never sent.
 */
public final class NsqBusConnector implements BusConnector {
    /** Used by {@link java.util.ServiceLoader}. */
    public NsqBusConnector() {}

    @Override
    public Bus connect(List<String> nsqdTcpAddresses) {
        ConnectOptions.Builder options = ConnectOptions.builder();
        FederationKey key = null;
        for (String address : nsqdTcpAddresses) {
            if (!FederationUrl.isWebSocket(address)) {
                options.nsqd(address);
                continue;
            }
            URI uri = URI.create(address);
            if (uri.getRawUserInfo() != null) {
                FederationKey given = key(uri);
                if (key != null && !key.equals(given)) {
                    throw new IllegalArgumentException("Bus.connect takes one federation key for all its addresses;"
                            + " give each site its own bus");
                }
                key = given;
            }
            options.nsqd(withoutUserInfo(uri));
        }
        FederationKey federationKey = key;
        options.security(s -> s.federationKey(federationKey));
        return NsqBus.connect(options.build());
    }

    private static FederationKey key(URI uri) {
        String info = uri.getRawUserInfo();
        int colon = info.indexOf(':');
        if (colon <= 0 || colon == info.length() - 1) {
            throw new IllegalArgumentException("the federation address for " + uri.getHost()
                    + " must carry NAME:SECRET before the host (ws://NAME:SECRET@host:port/federate)");
        }
        return new FederationKey(
                URLDecoder.decode(info.substring(0, colon), StandardCharsets.UTF_8),
                URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8));
    }

    private static String withoutUserInfo(URI uri) {
        String host = uri.getHost().indexOf(':') >= 0 ? "[" + uri.getHost() + "]" : uri.getHost();
        return uri.getScheme() + "://" + host + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
