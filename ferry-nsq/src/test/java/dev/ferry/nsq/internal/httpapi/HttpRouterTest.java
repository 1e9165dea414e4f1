package dev.ferry.nsq.internal.httpapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The router's own answers, pinned to nsqd 1.3's (julienschmidt/httprouter 1.3 as nsqd sets it up). */
class HttpRouterTest {
    private final HttpRouter<String> router = HttpRouter.<String>builder()
            .get("/ping", "ping")
            .post("/pub", "pub")
            .route(HttpMethod.PUT, "/pub", "pub-put")
            .route(HttpMethod.PUT, "/config/log_level", "config-put")
            .get("/config/log_level", "config-get")
            .build();

    private FullHttpResponse answer(HttpMethod method, String path) {
        HttpRouter.Decision<String> d = router.route(method, path);
        assertThat(d).isInstanceOf(HttpRouter.Answer.class);
        return ((HttpRouter.Answer<String>) d).response();
    }

    private static String body(FullHttpResponse r) {
        try {
            return r.content().toString(StandardCharsets.UTF_8);
        } finally {
            r.release();
        }
    }

    @Test
    void shouldHandOutTheRouteOfTheMethodAndExactPath() {
        assertThat(router.route(HttpMethod.GET, "/ping")).isEqualTo(new HttpRouter.Handle<>("ping"));
        assertThat(router.route(HttpMethod.POST, "/pub")).isEqualTo(new HttpRouter.Handle<>("pub"));
        assertThat(router.route(HttpMethod.PUT, "/pub")).isEqualTo(new HttpRouter.Handle<>("pub-put"));
        assertThat(router.route(HttpMethod.valueOf("PUT"), "/config/log_level"))
                .isEqualTo(new HttpRouter.Handle<>("config-put"));
    }

    @Test
    void shouldAnswerAnUnknownPathWithNsqdsNotFound() {
        for (String path : new String[] {"/nothing", "/ping/", "/PING", "/", "/create_topic"}) {
            FullHttpResponse r = answer(HttpMethod.GET, path);
            assertThat(r.status().code()).as(path).isEqualTo(404);
            assertThat(r.headers().get("X-NSQ-Content-Type")).isEqualTo("nsq; version=1.0");
            assertThat(r.headers().get("Content-Type")).isEqualTo("application/json; charset=utf-8");
            assertThat(r.headers().get("Allow")).isNull();
            assertThat(body(r)).isEqualTo("{\"message\":\"NOT_FOUND\"}");
        }
        // OPTIONS on a path nobody serves is not found either
        assertThat(answer(HttpMethod.OPTIONS, "/nothing").status().code()).isEqualTo(404);
    }

    @Test
    void shouldAnswerAnotherMethodWith405AndTheSortedAllowOfThePath() {
        FullHttpResponse get = answer(HttpMethod.DELETE, "/ping");
        assertThat(get.status().code()).isEqualTo(405);
        assertThat(get.headers().get("Allow")).isEqualTo("GET, OPTIONS");
        assertThat(get.headers().get("X-NSQ-Content-Type")).isEqualTo("nsq; version=1.0");
        assertThat(get.headers().get("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(body(get)).isEqualTo("{\"message\":\"METHOD_NOT_ALLOWED\"}");
        FullHttpResponse pub = answer(HttpMethod.GET, "/pub");
        assertThat(pub.headers().get("Allow")).isEqualTo("OPTIONS, POST, PUT");
        pub.release();
        FullHttpResponse config = answer(HttpMethod.POST, "/config/log_level");
        assertThat(config.headers().get("Allow")).isEqualTo("GET, OPTIONS, PUT");
        config.release();
    }

    @Test
    void shouldNotServeHeadWithTheGetRoute() {
        FullHttpResponse head = answer(HttpMethod.HEAD, "/ping");
        assertThat(head.status().code()).isEqualTo(405);
        assertThat(head.headers().get("Allow")).isEqualTo("GET, OPTIONS");
        head.release();
    }

    @Test
    void shouldAnswerOptionsWithAnEmpty200AndAllowButNoNsqHeader() {
        FullHttpResponse options = answer(HttpMethod.OPTIONS, "/pub");
        assertThat(options.status().code()).isEqualTo(200);
        assertThat(options.headers().get("Allow")).isEqualTo("OPTIONS, POST, PUT");
        assertThat(options.headers().get("X-NSQ-Content-Type")).isNull();
        assertThat(options.headers().get("Content-Type")).isNull();
        assertThat(body(options)).isEmpty();
    }

    @Test
    void shouldLetARouteTakeOptionsItself() {
        HttpRouter<String> own = HttpRouter.<String>builder()
                .route(HttpMethod.OPTIONS, "/cors", "cors")
                .post("/cors", "post")
                .build();
        assertThat(own.route(HttpMethod.OPTIONS, "/cors")).isEqualTo(new HttpRouter.Handle<>("cors"));
        FullHttpResponse get = ((HttpRouter.Answer<String>) own.route(HttpMethod.GET, "/cors")).response();
        assertThat(get.headers().get("Allow")).isEqualTo("OPTIONS, POST");
        get.release();
    }

    @Test
    void shouldRefuseTwoRoutesForOneMethodAndPathAndPathsThatAreNotPaths() {
        HttpRouter.Builder<String> b = HttpRouter.<String>builder().get("/ping", "a");
        assertThatThrownBy(() -> b.get("/ping", "b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("two HTTP routes for GET /ping");
        assertThatThrownBy(() -> b.get("ping", "b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("starts with /");
        assertThatThrownBy(() -> b.get("/ping?x=1", "b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no query");
        assertThat(b.post("/ping", "c").build().route(HttpMethod.POST, "/ping"))
                .isEqualTo(new HttpRouter.Handle<>("c"));
    }
}
