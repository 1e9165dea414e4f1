package dev.ferry.nsq.internal.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Asks an nsqd-style auth service what a client's secret allows: {@code GET
 * http://ADDRESS/auth?remote_ip=&tls=&secret=&common_name=}, trying the configured addresses from a
 * random one on, as nsqd does. The answer's permissions and regular expressions are checked
 * before it is trusted. Thread-safe; the queries run on the HTTP client's threads.
 */
public final class AuthClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> addresses;
    private final HttpClient http;
    private final Clock clock;

    /** The clock the answers' expiry is measured with. */
    public Clock clock() {
        return clock;
    }

    private final Duration timeout;

    /** A client of the auth services at {@code addresses} ({@code host:port} or a full URL). */
    public AuthClient(List<String> addresses, Clock clock, Duration timeout) {
        this(addresses, clock, timeout, timeout);
    }

    /**
     * A client of the auth services at {@code addresses} ({@code host:port} or a full URL), with nsqd's
     * two timeouts: to connect ({@code --http-client-connect-timeout}) and for the whole request
     * ({@code --http-client-request-timeout}).
     */
    public AuthClient(List<String> addresses, Clock clock, Duration connectTimeout, Duration requestTimeout) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no auth service address");
        }
        this.addresses = List.copyOf(addresses);
        this.clock = clock;
        this.timeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
    }

    /** What a client may do, until {@link #expiresAt()}. */
    public record State(String identity, String identityUrl, List<Grant> grants, long expiresAt) {
        /** Whether the answer's TTL has run out at {@code now} (ms). */
        public boolean expired(long now) {
            return now >= expiresAt;
        }

        /** As nsqd: a channel means subscribe, none means publish; the patterns match anywhere. */
        public boolean allows(String topic, String channel) {
            String permission = channel.isEmpty() ? "publish" : "subscribe";
            for (Grant g : grants) {
                if (g.permissions().contains(permission)
                        && g.topic().matcher(topic).find()
                        && g.channels().stream()
                                .anyMatch(c -> c.matcher(channel).find())) {
                    return true;
                }
            }
            return false;
        }
    }

    /** One authorization: a topic pattern, channel patterns, and permissions. */
    public record Grant(Pattern topic, List<Pattern> channels, List<String> permissions) {}

    /** Queries the services; the future fails with a message naming each address that failed. */
    public CompletableFuture<State> query(String remoteIp, boolean tls, String commonName, String secret) {
        int start = ThreadLocalRandom.current().nextInt(addresses.size());
        return attempt(0, start, remoteIp, tls, commonName, secret, "");
    }

    private CompletableFuture<State> attempt(
            int i, int start, String remoteIp, boolean tls, String commonName, String secret, String errors) {
        if (i == addresses.size()) {
            return CompletableFuture.failedFuture(new IllegalStateException(errors));
        }
        String address = addresses.get((start + i) % addresses.size());
        String query = "remote_ip=" + enc(remoteIp) + "&tls=" + tls + "&secret=" + enc(secret) + "&common_name="
                + enc(commonName);
        String url = address.contains("://") ? address + "?" + query : "http://" + address + "/auth?" + query;
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> parse(response))
                .handle((state, error) -> {
                    if (error == null) {
                        return CompletableFuture.completedFuture(state);
                    }
                    Throwable cause = error.getCause() != null ? error.getCause() : error;
                    String e = "failed to auth against " + address + " - " + cause.getMessage();
                    return attempt(
                            i + 1, start, remoteIp, tls, commonName, secret, errors.isEmpty() ? e : errors + "; " + e);
                })
                .thenCompose(f -> f);
    }

    private State parse(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("got response " + response.statusCode());
        }
        try {
            JsonNode root = JSON.readTree(response.body());
            long ttl = root.path("ttl").asLong(0);
            if (ttl <= 0) {
                throw new IllegalStateException("invalid TTL " + ttl + " (must be >0)");
            }
            List<Grant> grants = new ArrayList<>();
            for (JsonNode a : root.path("authorizations")) {
                List<String> permissions = new ArrayList<>();
                for (JsonNode p : a.path("permissions")) {
                    String permission = p.asText();
                    if (!permission.equals("subscribe") && !permission.equals("publish")) {
                        throw new IllegalStateException("unknown permission " + permission);
                    }
                    permissions.add(permission);
                }
                List<Pattern> channels = new ArrayList<>();
                for (JsonNode c : a.path("channels")) {
                    channels.add(Pattern.compile(c.asText()));
                }
                grants.add(new Grant(Pattern.compile(a.path("topic").asText()), channels, permissions));
            }
            return new State(
                    root.path("identity").asText(""),
                    root.path("identity_url").asText(""),
                    grants,
                    clock.millis() + ttl * 1000);
        } catch (java.io.IOException | PatternSyntaxException e) {
            throw new IllegalStateException("bad answer: " + e.getMessage(), e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
