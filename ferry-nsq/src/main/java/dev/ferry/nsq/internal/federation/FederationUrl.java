package dev.ferry.nsq.internal.federation;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A federation address: {@code ws://host:port/path} or {@code wss://host:port/path} (the port is
 * 80 or 443 when left out, the path {@code /federate}).
 *
 * @param secure whether the WebSocket runs over TLS ({@code wss})
 * @param host the broker's host
 * @param port the broker's HTTP (or HTTPS) port
 * @param path the WebSocket's path
 */
public record FederationUrl(boolean secure, String host, int port, String path) {
    /** Whether {@code address} is a WebSocket URL rather than {@code host:port}. */
    public static boolean isWebSocket(String address) {
        String a = address.toLowerCase(Locale.ROOT);
        return a.startsWith("ws://") || a.startsWith("wss://");
    }

    /**
     * Parses a WebSocket URL without user information.
     *
     * @throws IllegalArgumentException naming the address and what is wrong with it
     */
    public static FederationUrl parse(String address) {
        URI uri;
        try {
            uri = new URI(address);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("\"" + address + "\" is not a WebSocket URL: " + e.getReason(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException(
                    "a federation address starts with ws:// or wss://, got \"" + address + '"');
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("federation address \"" + address + "\" names no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("federation address \"" + uri.getHost()
                    + "\" carries a user and secret; give the secret as a FederationKey instead");
        }
        boolean secure = scheme.equals("wss");
        int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/federate" : uri.getRawPath();
        return new FederationUrl(secure, uri.getHost(), port, path);
    }

    /** The URI the WebSocket handshake asks for. */
    public URI uri() {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return URI.create((secure ? "wss://" : "ws://") + h + ":" + port + path);
    }

    /** The broker's HTTP address, {@code host:port}: the same port serves its HTTP API. */
    public String httpAddress() {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return h + ":" + port;
    }

    @Override
    public String toString() {
        return uri().toString();
    }
}
