package dev.ferry.nsq.internal.lookupd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.nsq.internal.httpapi.RawHttp;
import dev.ferry.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * lookupd's HTTP API answers what it does not serve as nsqlookupd 1.3 does (the router nsqd's API
 * shares), seen as raw bytes through the server's HTTP codec.
 */
class LookupdHttpRoutingTest {
    private final LookupdState state = new LookupdState(new LookupdOptions(
            Duration.ofSeconds(300),
            Duration.ofSeconds(45),
            "lookupd-host",
            "lookupd-host",
            "1.3.0",
            1024,
            MutableClock.start()));
    private final RawHttp http = new RawHttp(new LookupdHttpHandler(state));

    @AfterEach
    void close() {
        http.close();
    }

    @Test
    void shouldAnswer404ForAPathItDoesNotServe() {
        for (String path : new String[] {"/nothing", "/lookup/", "/pub", "/stats"}) {
            String answer = http.exchange("GET", path);
            assertThat(answer).as(path).startsWith("HTTP/1.1 404 Not Found\r\n");
            assertThat(answer).contains("X-NSQ-Content-Type: nsq; version=1.0\r\n");
            assertThat(answer).endsWith("\r\n\r\n{\"message\":\"NOT_FOUND\"}");
        }
    }

    @Test
    void shouldAnswer405WithAllowForAKnownPathAndAnotherMethod() {
        String lookup = http.exchange("POST", "/lookup");
        assertThat(lookup).startsWith("HTTP/1.1 405 Method Not Allowed\r\n");
        assertThat(lookup).contains("allow: GET, OPTIONS\r\n");
        assertThat(lookup).endsWith("\r\n\r\n{\"message\":\"METHOD_NOT_ALLOWED\"}");
        assertThat(http.exchange("GET", "/topic/tombstone")).contains("allow: OPTIONS, POST\r\n");
    }

    @Test
    void shouldAnswerHeadOnAGetPathWith405AndNoBody() {
        String head = http.exchange("HEAD", "/ping");
        assertThat(head).startsWith("HTTP/1.1 405 Method Not Allowed\r\n");
        assertThat(head).contains("allow: GET, OPTIONS\r\n");
        assertThat(head).contains("content-length: 32\r\n");
        assertThat(head).endsWith("\r\n\r\n");
        assertThat(http.exchange("GET", "/ping"))
                .startsWith("HTTP/1.1 200 OK\r\n")
                .endsWith("\r\n\r\nOK");
    }

    @Test
    void shouldAnswerOptionsWithAllowAndAnEmptyBody() {
        String options = http.exchange("OPTIONS", "/channel/create");
        assertThat(options).startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(options).contains("allow: OPTIONS, POST\r\n");
        assertThat(options).contains("content-length: 0\r\n");
        assertThat(options).doesNotContainIgnoringCase("x-nsq-content-type");
        assertThat(options).endsWith("\r\n\r\n");
    }
}
