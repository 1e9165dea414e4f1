package dev.ferry.internal.bus;

import dev.ferry.BusAdmin;
import dev.ferry.DeadLetter;
import dev.ferry.FerryException;
import dev.ferry.Names;
import dev.ferry.TopicStats;
import dev.ferry.spi.Engine;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * {@link BusAdmin} over an engine: checks names, delegates, then waits on the calling thread for the
 * engine's stage (at once for the embedded engine, whose stages are complete). The engine's failure
 * is rethrown as it is ({@link dev.ferry.NotFoundException}, {@link IllegalArgumentException},
 * {@link dev.ferry.NotSupportedException}); an interrupt while waiting becomes a {@link
 * FerryException} with the interrupt flag set again.
 */
final class LocalAdmin implements BusAdmin {
    private final Engine engine;

    LocalAdmin(Engine engine) {
        this.engine = engine;
    }

    @Override
    public List<TopicStats> topics() {
        return await(engine.stats());
    }

    @Override
    public Optional<TopicStats> topic(String topic) {
        return await(engine.stats(Names.checkTopic(topic)));
    }

    @Override
    public void createTopic(String topic) {
        await(engine.createTopic(Names.checkTopic(topic)));
    }

    @Override
    public void deleteTopic(String topic) {
        await(engine.deleteTopic(Names.checkTopic(topic)));
    }

    @Override
    public void emptyTopic(String topic) {
        await(engine.emptyTopic(Names.checkTopic(topic)));
    }

    @Override
    public void pauseTopic(String topic) {
        await(engine.setTopicPaused(Names.checkTopic(topic), true));
    }

    @Override
    public void unpauseTopic(String topic) {
        await(engine.setTopicPaused(Names.checkTopic(topic), false));
    }

    @Override
    public void createChannel(String topic, String channel) {
        await(engine.createChannel(Names.checkTopic(topic), Names.checkChannel(channel)));
    }

    @Override
    public void deleteChannel(String topic, String channel) {
        await(engine.deleteChannel(Names.checkTopic(topic), Names.checkChannel(channel)));
    }

    @Override
    public void emptyChannel(String topic, String channel) {
        await(engine.emptyChannel(Names.checkTopic(topic), Names.checkChannel(channel)));
    }

    @Override
    public void pauseChannel(String topic, String channel) {
        await(engine.setChannelPaused(Names.checkTopic(topic), Names.checkChannel(channel), true));
    }

    @Override
    public void unpauseChannel(String topic, String channel) {
        await(engine.setChannelPaused(Names.checkTopic(topic), Names.checkChannel(channel), false));
    }

    @Override
    public void setDeadLetter(String topic, String channel, DeadLetter policy) {
        Objects.requireNonNull(policy, "policy");
        await(engine.setDeadLetter(Names.checkTopic(topic), Names.checkChannel(channel), policy));
    }

    /** Waits for an engine stage and returns its value, rethrowing its failure unwrapped. */
    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new FerryException("the engine failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while waiting for the engine", e);
        }
    }
}
