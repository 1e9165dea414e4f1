package dev.ferry.nsq.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.httpapi.RawHttp;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broker's HTTP API answers what it does not serve as nsqd 1.3 does, seen as raw bytes through
 * the server's HTTP codec.
 */
class NsqHttpRoutingTest {
    private final LocalEngine engine =
            LocalEngine.open(EmbeddedEngineConfig.memory().build());
    private final NsqHttpHandler handler =
            new NsqHttpHandler(engine, ServerOptions.defaults(), Map.of("version", "1.3.0"));
    private final RawHttp http = new RawHttp(handler);

    @AfterEach
    void close() {
        http.close();
        handler.shutdown();
        engine.close();
    }

    @Test
    void shouldAnswer404ForAPathItDoesNotServe() {
        for (String path : new String[] {"/nothing", "/ping/", "/create_topic", "/topic/nope", "/channel/a/b"}) {
            String answer = http.exchange("POST", path);
            assertThat(answer).as(path).startsWith("HTTP/1.1 404 Not Found\r\n");
            assertThat(answer).contains("X-NSQ-Content-Type: nsq; version=1.0\r\n");
            assertThat(answer).doesNotContainIgnoringCase("allow:");
            assertThat(answer).endsWith("\r\n\r\n{\"message\":\"NOT_FOUND\"}");
        }
    }

    @Test
    void shouldAnswer405WithAllowForAKnownPathAndAnotherMethod() {
        String ping = http.exchange("POST", "/ping");
        assertThat(ping).startsWith("HTTP/1.1 405 Method Not Allowed\r\n");
        assertThat(ping).contains("allow: GET, OPTIONS\r\n");
        assertThat(ping).endsWith("\r\n\r\n{\"message\":\"METHOD_NOT_ALLOWED\"}");
        assertThat(http.exchange("GET", "/topic/create")).contains("allow: OPTIONS, POST\r\n");
        assertThat(http.exchange("DELETE", "/channel/dead-letter")).contains("allow: OPTIONS, POST\r\n");
        // Ferry publishes with PUT too
        assertThat(http.exchange("GET", "/pub")).contains("allow: OPTIONS, POST, PUT\r\n");
    }

    @Test
    void shouldAnswerHeadOnAGetPathWith405AndNoBody() {
        String head = http.exchange("HEAD", "/ping");
        assertThat(head).startsWith("HTTP/1.1 405 Method Not Allowed\r\n");
        assertThat(head).contains("allow: GET, OPTIONS\r\n");
        // the length of the body a GET-less client would have had, and no body
        assertThat(head).contains("content-length: 32\r\n");
        assertThat(head).endsWith("\r\n\r\n");
        assertThat(http.exchange("GET", "/ping"))
                .startsWith("HTTP/1.1 200 OK\r\n")
                .endsWith("\r\n\r\nOK");
    }

    @Test
    void shouldAnswerOptionsWithAllowAndAnEmptyBody() {
        String options = http.exchange("OPTIONS", "/stats");
        assertThat(options).startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(options).contains("allow: GET, OPTIONS\r\n");
        assertThat(options).contains("content-length: 0\r\n");
        assertThat(options).doesNotContainIgnoringCase("x-nsq-content-type");
        assertThat(options).endsWith("\r\n\r\n");
        assertThat(http.exchange("OPTIONS", "/nothing")).startsWith("HTTP/1.1 404 Not Found\r\n");
    }
}
