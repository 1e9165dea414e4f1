package dev.ferry.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class EventRouterTest {
    private final List<String> ran = new CopyOnWriteArrayList<>();

    private EventRouter.Handler record(String name) {
        return (message, event) -> {
            ran.add(name);
        };
    }

    private EventRouter router() {
        return EventRouter.builder()
                .on("presence", record("presence"))
                .on("presence-update", record("presence-update"))
                .on("Dialog_State", "Early_Media", record("dialog-state-early-media"))
                .on("42", record("42"))
                .on("true-1", record("true-1"))
                .fallback(record("fallback"))
                .build();
    }

    private String route(EventRouter router, String body) throws Exception {
        ran.clear();
        router.handle(new TestMessage(body));
        assertThat(ran).hasSize(1);
        return ran.get(0);
    }

    @Test
    void shouldRunTheMostSpecificRoute() throws Exception {
        EventRouter r = router();
        assertThat(route(r, "{\"Event-Type\":\"presence\",\"Event-Name\":\"update\"}"))
                .isEqualTo("presence-update");
        assertThat(route(r, "{\"Event-Type\":\"presence\",\"Event-Name\":\"probe\"}"))
                .isEqualTo("presence");
    }

    @Test
    void shouldTreatAMissingOrEmptySubkeyAsEmpty() throws Exception {
        EventRouter r = router();
        assertThat(route(r, "{\"Event-Type\":\"presence\"}")).isEqualTo("presence");
        assertThat(route(r, "{\"Event-Type\":\"presence\",\"Event-Name\":null}"))
                .isEqualTo("presence");
        assertThat(route(r, "{\"Event-Type\":\"presence\",\"Event-Name\":\"\"}"))
                .isEqualTo("presence");
    }

    @Test
    void shouldMatchCaseInsensitivelyWithUnderscoreAsDash() throws Exception {
        EventRouter r = router();
        assertThat(route(r, "{\"Event-Type\":\"PRESENCE\",\"Event-Name\":\"Update\"}"))
                .isEqualTo("presence-update");
        assertThat(route(r, "{\"Event-Type\":\"dialog-state\",\"Event-Name\":\"early_media\"}"))
                .isEqualTo("dialog-state-early-media");
    }

    @Test
    void shouldMatchNumbersAndBooleansByTheirJsonText() throws Exception {
        EventRouter r = router();
        assertThat(route(r, "{\"Event-Type\":42}")).isEqualTo("42");
        assertThat(route(r, "{\"Event-Type\":true,\"Event-Name\":1}")).isEqualTo("true-1");
        assertThat(route(r, "{\"Event-Type\":true,\"Event-Name\":2}")).isEqualTo("fallback");
    }

    @Test
    void shouldFallBackWhenNothingMatches() throws Exception {
        EventRouter r = router();
        assertThat(route(r, "{\"Event-Name\":\"update\"}")).isEqualTo("fallback");
        assertThat(route(r, "{\"Event-Type\":null}")).isEqualTo("fallback");
        assertThat(route(r, "{\"Event-Type\":\"\"}")).isEqualTo("fallback");
        assertThat(route(r, "{\"Event-Type\":\"registration\",\"Event-Name\":\"update\"}"))
                .isEqualTo("fallback");
        assertThat(route(r, "[1,2]")).isEqualTo("fallback");
        assertThat(route(r, "\"presence\"")).isEqualTo("fallback");
        assertThat(route(r, "not json at all")).isEqualTo("fallback");
    }

    @Test
    void shouldUseTheConfiguredKeyAndSubkey() throws Exception {
        EventRouter r = EventRouter.builder()
                .key("Type")
                .subkey("Name")
                .on("call-hangup", record("call-hangup"))
                .fallback(record("fallback"))
                .build();
        assertThat(route(r, "{\"Type\":\"call\",\"Name\":\"hangup\"}")).isEqualTo("call-hangup");
        assertThat(route(r, "{\"Event-Type\":\"call\",\"Event-Name\":\"hangup\"}"))
                .isEqualTo("fallback");
        assertThat(r.routeFor("{\"Type\":\"CALL\",\"Name\":\"HANGUP\"}".getBytes(StandardCharsets.UTF_8)))
                .contains("call-hangup");
    }

    @Test
    void shouldRejectDuplicateAndEmptyRoutes() {
        assertThatThrownBy(() -> EventRouter.builder().on("a_b", record("x")).on("A-B", record("y")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already registered");
        assertThatThrownBy(() -> EventRouter.builder().on("", record("x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldHandTheParsedBodyToTheRoute() throws Exception {
        List<String> realms = new CopyOnWriteArrayList<>();
        EventRouter r = EventRouter.builder()
                .on("reg", (m, event) -> realms.add(event.get("Realm").asText()))
                .build();
        r.handle(new TestMessage("{\"Event-Type\":\"reg\",\"Realm\":\"example.com\"}"));
        assertThat(realms).containsExactly("example.com");
    }

    @Test
    void shouldPropagateARouteFailureSoTheMessageIsRequeued() {
        EventRouter r = EventRouter.builder()
                .on("boom", (m, e) -> {
                    throw new IllegalStateException("route failed");
                })
                .build();
        assertThatThrownBy(() -> r.handle(new TestMessage("{\"Event-Type\":\"boom\"}")))
                .hasMessage("route failed");
    }

    /** A message for calling handlers directly. */
    record TestMessage(String text) implements Message {
        @Override
        public String id() {
            return "0000000000000001";
        }

        @Override
        public long timestamp() {
            return 0;
        }

        @Override
        public int attempts() {
            return 1;
        }

        @Override
        public String topic() {
            return "t";
        }

        @Override
        public String channel() {
            return "c";
        }

        @Override
        public byte[] body() {
            return text.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean finish() {
            return true;
        }

        @Override
        public boolean requeue(Duration delay) {
            return true;
        }

        @Override
        public boolean touch() {
            return true;
        }

        @Override
        public void takeControl() {}
    }
}
