package dev.ferry.nsq.internal.http;

import dev.ferry.Names;
import dev.ferry.nsq.internal.httpapi.HttpRouter;
import dev.ferry.spi.Engine;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The admin web page, served from the jar: {@code GET /} and {@code /admin/} (the topics), {@code
 * /admin/topic?topic=T} (a topic's channels and clients; a 404 page when there is no such topic),
 * {@code /admin/admin.css}, {@code /admin/admin.js}, and {@code /admin/nodes} (the nodes the
 * lookupds know, from {@link LookupdNodes}).
 *
 * <p>The page holds no data of its own: its script reads {@code /stats} (open, as nsqd's) and acts
 * through nsqd's {@code POST /topic/*} and {@code /channel/*}, so the auth that guards those guards
 * the page's actions too (the page asks for a secret when the broker answers 401 or 403).
 *
 * <p>The files are read once, when the page is made. Thread-safe; never blocks the event loop.
 */
final class AdminPage {
    private static final String BASE = "/dev/ferry/nsq/internal/http/admin/";

    private final Engine engine;
    private final LookupdNodes nodes;
    private final byte[] html = resource("index.html");
    private final byte[] css = resource("admin.css");
    private final byte[] js = resource("admin.js");

    AdminPage(Engine engine, LookupdNodes nodes) {
        this.engine = engine;
        this.nodes = nodes;
    }

    void register(HttpRouter.Builder<Endpoint> routes) {
        routes.get("/", x -> page());
        routes.get("/admin/", x -> page());
        routes.get("/admin/topic", this::topicPage);
        routes.get("/admin/admin.css", x -> done(file(css, "text/css; charset=utf-8")));
        routes.get("/admin/admin.js", x -> done(file(js, "text/javascript; charset=utf-8")));
        routes.get("/admin/nodes", x -> nodes.fetch());
    }

    private CompletableFuture<FullHttpResponse> page() {
        return done(file(html, "text/html; charset=utf-8"));
    }

    /** The page, when the topic exists; else a page that says there is no such topic, with 404. */
    private CompletableFuture<FullHttpResponse> topicPage(Exchange x) {
        String topic = x.param("topic").orElse("");
        if (!Names.isValid(topic)) {
            return done(notFound(topic));
        }
        return engine.stats(topic)
                .thenApply(stats -> stats.isPresent() ? file(html, "text/html; charset=utf-8") : notFound(topic))
                .toCompletableFuture();
    }

    private static FullHttpResponse notFound(String topic) {
        String shown = topic.isEmpty() ? "(no topic named in the address)" : escape(topic);
        String body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>Topic not found · Ferry</title><link rel=\"stylesheet\" href=\"/admin/admin.css\"></head>"
                + "<body><header><a class=\"brand\" href=\"/admin/\">Ferry</a></header><main>"
                + "<h1>Topic not found</h1><p id=\"not-found\">This broker has no topic " + shown
                + ". It may have been deleted, or the address is mistyped.</p>"
                + "<p><a href=\"/admin/\">Back to all topics</a></p></main></body></html>";
        return file(body.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8", HttpResponseStatus.NOT_FOUND);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static FullHttpResponse file(byte[] body, String type) {
        return file(body, type, HttpResponseStatus.OK);
    }

    private static FullHttpResponse file(byte[] body, String type, HttpResponseStatus status) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        return r;
    }

    private static CompletableFuture<FullHttpResponse> done(FullHttpResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    private static byte[] resource(String name) {
        try (InputStream in = AdminPage.class.getResourceAsStream(BASE + name)) {
            if (in == null) {
                throw new IllegalStateException("the admin page's " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the admin page's " + name + " from the jar", e);
        }
    }
}
