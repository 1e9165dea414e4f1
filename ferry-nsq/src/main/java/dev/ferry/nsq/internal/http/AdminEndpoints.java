package dev.ferry.nsq.internal.http;

import dev.ferry.DeadLetter;
import dev.ferry.Names;
import dev.ferry.NotFoundException;
import dev.ferry.nsq.internal.httpapi.HttpError;
import dev.ferry.nsq.internal.httpapi.HttpResponses;
import dev.ferry.nsq.internal.httpapi.HttpRouter;
import dev.ferry.spi.Engine;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * nsqd's topic and channel administration, {@code POST} only: {@code
 * /topic/create|delete|empty|pause|unpause?topic=T} and {@code
 * /channel/create|delete|empty|pause|unpause?topic=T&channel=C}, answering 200 with an empty body;
 * and Ferry's {@code /channel/dead-letter?topic=&channel=&max_attempts=N[&dead_letter_topic=D]},
 * which sets the channel's dead-letter policy ({@code max_attempts=0} removes it) and answers it as
 * {@code {"max_attempts":N,"dead_letter_topic":D}}.
 *
 * <p>Errors as nsqd's: 400 {@code MISSING_ARG_TOPIC}, {@code INVALID_TOPIC} (topic actions), {@code
 * INVALID_ARG_TOPIC}, {@code MISSING_ARG_CHANNEL}, {@code INVALID_ARG_CHANNEL} (channel actions);
 * 404 {@code TOPIC_NOT_FOUND} (a channel action needs its topic to exist, even create) and {@code
 * CHANNEL_NOT_FOUND}.
 *
 * <p>Each endpoint makes its engine call in one place, the lambda it is registered with. Stateless
 * and thread-safe. Runs on the event loop and never waits there: the engine's administration
 * returns a stage, and the answer is made when it completes (on whichever thread completes it; the
 * handler writes it on the connection's event loop).
 */
final class AdminEndpoints {
    private final Engine engine;

    AdminEndpoints(Engine engine) {
        this.engine = engine;
    }

    /** A topic action's engine call. */
    @FunctionalInterface
    private interface TopicAction {
        CompletionStage<Void> run(String topic);
    }

    /** A channel action's engine call. */
    @FunctionalInterface
    private interface ChannelAction {
        CompletionStage<Void> run(String topic, String channel);
    }

    /** Registers the endpoints, each behind {@code guard}: publish on the topic, subscribe on the channel. */
    void register(HttpRouter.Builder<Endpoint> routes, HttpAuthGuard guard) {
        topic(routes, guard, "create", topic -> engine.createTopic(topic));
        topic(routes, guard, "delete", topic -> engine.deleteTopic(topic));
        topic(routes, guard, "empty", topic -> engine.emptyTopic(topic));
        topic(routes, guard, "pause", topic -> engine.setTopicPaused(topic, true));
        topic(routes, guard, "unpause", topic -> engine.setTopicPaused(topic, false));
        channel(routes, guard, "create", (topic, channel) -> engine.createChannel(topic, channel));
        channel(routes, guard, "delete", (topic, channel) -> engine.deleteChannel(topic, channel));
        channel(routes, guard, "empty", (topic, channel) -> engine.emptyChannel(topic, channel));
        channel(routes, guard, "pause", (topic, channel) -> engine.setChannelPaused(topic, channel, true));
        channel(routes, guard, "unpause", (topic, channel) -> engine.setChannelPaused(topic, channel, false));
        routes.post("/channel/dead-letter", guard.subscribing(x -> answer(deadLetter(x))));
    }

    private static void topic(
            HttpRouter.Builder<Endpoint> routes, HttpAuthGuard guard, String action, TopicAction call) {
        routes.post("/topic/" + action, guard.publishing(x -> {
            String topic = x.requiredTopic();
            if (!Names.isValid(topic)) {
                throw HttpError.badRequest("INVALID_TOPIC");
            }
            return answer(call.run(topic).thenApply(done -> HttpResponses.empty()));
        }));
    }

    private void channel(HttpRouter.Builder<Endpoint> routes, HttpAuthGuard guard, String action, ChannelAction call) {
        routes.post("/channel/" + action, guard.subscribing(x -> {
            String topic = x.requiredTopic();
            String channel = checkedChannel(topic, x);
            return answer(engine.stats(topic)
                    .thenCompose(stats -> {
                        if (stats.isEmpty()) {
                            throw HttpError.notFound("TOPIC_NOT_FOUND");
                        }
                        return call.run(topic, channel);
                    })
                    .thenApply(done -> HttpResponses.empty()));
        }));
    }

    /** The endpoint's answer once the engine's stage completes; its {@link NotFoundException} as nsqd's 404. */
    private static CompletableFuture<FullHttpResponse> answer(CompletionStage<FullHttpResponse> engineCall) {
        return engineCall.toCompletableFuture().exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof NotFoundException notFound) {
                return CompletableFuture.failedFuture(HttpError.notFound(
                        notFound.getMessage().startsWith("channel") ? "CHANNEL_NOT_FOUND" : "TOPIC_NOT_FOUND"));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /** Sets a channel's dead-letter policy; answers it as {@code {"max_attempts":N,"dead_letter_topic":D}}. */
    private CompletionStage<FullHttpResponse> deadLetter(Exchange x) {
        String topic = x.requiredTopic();
        String channel = checkedChannel(topic, x);
        String attemptsParam =
                x.param("max_attempts").orElseThrow(() -> HttpError.badRequest("MISSING_ARG_MAX_ATTEMPTS"));
        int maxAttempts;
        try {
            maxAttempts = Integer.parseInt(attemptsParam);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("INVALID_MAX_ATTEMPTS");
        }
        if (maxAttempts < 0) {
            throw HttpError.badRequest("INVALID_MAX_ATTEMPTS");
        }
        Optional<String> target = x.param("dead_letter_topic").filter(t -> !t.isEmpty());
        if (target.isPresent() && (!Names.isValid(target.get()) || maxAttempts == 0)) {
            throw HttpError.badRequest("INVALID_DEAD_LETTER_TOPIC");
        }
        DeadLetter policy = maxAttempts == 0
                ? DeadLetter.NONE
                : target.map(DeadLetter.after(maxAttempts)::to).orElse(DeadLetter.after(maxAttempts));
        String resolved;
        try {
            resolved = policy.enabled() ? policy.topicFor(topic) : null;
        } catch (IllegalArgumentException e) {
            // the default <topic>.dead would break the 64-character rule, or names the topic itself
            throw HttpError.badRequest(target.isEmpty() ? "DEAD_LETTER_TOPIC_REQUIRED" : "INVALID_DEAD_LETTER_TOPIC");
        }
        return engine.setDeadLetter(topic, channel, policy).thenApply(done -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("max_attempts", maxAttempts);
            out.put("dead_letter_topic", resolved);
            return HttpResponses.json(out);
        });
    }

    /** The request's channel, after checking the topic's name and the channel's. */
    private static String checkedChannel(String topic, Exchange x) {
        if (!Names.isValid(topic)) {
            throw HttpError.badRequest("INVALID_ARG_TOPIC");
        }
        String channel = x.param("channel").orElseThrow(() -> HttpError.badRequest("MISSING_ARG_CHANNEL"));
        if (!Names.isValid(channel)) {
            throw HttpError.badRequest("INVALID_ARG_CHANNEL");
        }
        return channel;
    }
}
