package dev.ferry.nsq.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's {@code /queue/*} endpoints as any HTTP client sees them. */
class QueueStateEndpointsTest {
    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.start();
    private final HttpClient http = HttpClient.newHttpClient();
    private QueueBroker broker;

    @BeforeEach
    void start() {
        broker = new QueueBroker(dir, clock, true);
    }

    @AfterEach
    void stop() {
        broker.close();
        http.close();
    }

    private HttpResponse<String> call(String method, String pathAndQuery, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + broker.httpAddress() + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldAnswerEveryCallWithJson() throws Exception {
        assertThat(call("GET", "/queue/state?queue=q", "").body()).isEqualTo("{\"exists\":false}");
        assertThat(call("POST", "/queue/attach?queue=q&attachment=a&ttl_ms=5000", "")
                        .body())
                .isEqualTo("{\"existed\":false}");
        assertThat(call("POST", "/queue/metadata?queue=q&key=owner", "alice").body())
                .isEqualTo("{\"exists\":true}");
        HttpResponse<String> state = call("GET", "/queue/state?queue=q", "");
        assertThat(state.statusCode()).isEqualTo(200);
        assertThat(state.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(state.body())
                .isEqualTo("{\"exists\":true,\"ttl_ms\":5000,\"attachments\":1,\"metadata\":{\"owner\":\"alice\"}}");
        assertThat(call("POST", "/queue/metadata?queue=q&key=owner&remove=true", "")
                        .body())
                .isEqualTo("{\"exists\":true}");
        assertThat(call("POST", "/queue/detach?queue=q&attachment=a", "").body())
                .isEqualTo("{\"detached\":true}");
        assertThat(call("POST", "/queue/destroy?queue=q", "").body()).isEqualTo("{\"existed\":true}");
        assertThat(call("POST", "/queue/metadata?queue=q&key=k", "v").body()).isEqualTo("{\"exists\":false}");
    }

    @Test
    void shouldRefuseBadArgumentsWith400() throws Exception {
        assertThat(call("GET", "/queue/state", "").body()).isEqualTo("{\"message\":\"MISSING_ARG_QUEUE\"}");
        assertThat(call("GET", "/queue/state?queue=bad/name", "").body()).isEqualTo("{\"message\":\"INVALID_QUEUE\"}");
        HttpResponse<String> noTtl = call("POST", "/queue/attach?queue=q&attachment=a", "");
        assertThat(noTtl.statusCode()).isEqualTo(400);
        assertThat(noTtl.body()).isEqualTo("{\"message\":\"INVALID_TTL_MS\"}");
        assertThat(call("POST", "/queue/attach?queue=q&ttl_ms=1000", "").body())
                .isEqualTo("{\"message\":\"MISSING_ARG_ATTACHMENT\"}");
        assertThat(call("POST", "/queue/state?queue=q", "").statusCode()).isEqualTo(405);
    }

    @Test
    void shouldDropAnAttachmentWhoseLeaseLapses() throws Exception {
        call("POST", "/queue/attach?queue=q&attachment=a&ttl_ms=1000&lease_ms=60000", "");
        clock.advance(Duration.ofSeconds(59));
        assertThat(call("GET", "/queue/state?queue=q", "").body()).contains("\"attachments\":1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(call("GET", "/queue/state?queue=q", "").body()).contains("\"attachments\":0");
        clock.advance(Duration.ofSeconds(1));
        assertThat(call("GET", "/queue/state?queue=q", "").body()).isEqualTo("{\"exists\":false}");
    }

    @Test
    void shouldRenewTheClientsLeaseUntilDetached() {
        try (var bus = broker.connect()) {
            HttpQueueStates store = (HttpQueueStates) ((NsqClientBus) bus).queueState();
            Duration ttl = Duration.ofSeconds(1);
            Duration most = HttpQueueStates.LEASE.minusSeconds(1);
            store.attach("q", "me", ttl, Duration.ZERO);
            store.attach("q", "other", ttl, Duration.ZERO);
            clock.advance(most);
            store.renew(); // what the bus's timer does every third of the lease
            clock.advance(most);
            assertThat(broker.engine().queueState().state("q").orElseThrow().attachments())
                    .isEqualTo(2);
            store.detach("q", "other");
            store.renew();
            clock.advance(most);
            assertThat(broker.engine().queueState().state("q").orElseThrow().attachments())
                    .isEqualTo(1);
            // a client that stops renewing (it died) loses its attachment one lease later
            clock.advance(Duration.ofSeconds(1));
            assertThat(broker.engine().queueState().state("q").orElseThrow().attachments())
                    .isZero();
        }
    }
}
