package dev.ferry.nsq.testing;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.nsq.AuthSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An auth service speaking nsqd's auth contract on a loopback port, for tests: {@code GET
 * /auth?secret=S&...} answers 200 with the grant mapped to {@code S}, or 403 with the refusal body
 * when no grant is. Serves on the JDK's HTTP server thread; {@link #close()} stops it.
 */
public final class TestAuthService implements AutoCloseable {
    private final HttpServer server;

    private TestAuthService(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts a service on an ephemeral loopback port.
     *
     * @param grants each secret's answer, a JSON object such as {@code {"ttl":3600,"authorizations":[...]}}
     * @param refusal the body answered with 403 to any other secret
     */
    public static TestAuthService start(Map<String, String> grants, String refusal) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/auth", exchange -> {
            String secret = exchange.getRequestURI().getQuery().replaceAll(".*secret=([^&]*).*", "$1");
            String grant = grants.get(secret);
            byte[] body = (grant == null ? refusal : grant).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(grant == null ? 403 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return new TestAuthService(server);
    }

    /** A broker's client of this service: the system clock, a 5 s timeout. */
    public AuthSettings client() {
        return AuthSettings.of(List.of(address()), Duration.ofSeconds(5));
    }

    /** {@code 127.0.0.1:PORT}, as {@code --auth-http-address} takes it. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Stops the service at once. */
    @Override
    public void close() {
        server.stop(0);
    }
}
