package dev.ferry.testing;

import dev.ferry.DeadLetter;
import dev.ferry.TopicStats;
import dev.ferry.spi.Engine;
import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import dev.ferry.spi.QueueStateStore;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * An engine that behaves like a remote one: it wraps another engine and runs every operation of the
 * data path ({@link #append}, {@link #claim}, {@link #ack}, {@link #nack}, {@link #extend} and a
 * consumer's claim), of administration (create, delete, empty, pause, dead letters) and of
 * statistics later, on its own thread, which also completes the stage. Nothing it hands out is
 * complete when the call returns, so the layers above run over it prove that they do not rely on
 * same-thread completion. Operations run one at a time in the order they were called, as over one
 * connection to a server. Registration, {@link #watch} and {@link #queueState()} are synchronous in
 * the SPI and go straight to the wrapped engine.
 *
 * <p>Waiting is checked: the stages it hands out (and every stage derived from them) refuse {@code
 * get()} and {@code join()} on a thread that must never block (by default a Netty event loop or a
 * bus dispatch thread, recognised by their names), with an {@link IllegalStateException}, and
 * record the thread in {@link #forbiddenWaits()}, so that a test fails even when the layer above
 * swallows the exception.
 */
public final class OffThreadEngine implements Engine {
    private final Engine delegate;
    private final Predicate<Thread> mustNotWait;
    private final ExecutorService worker;
    private final List<String> forbiddenWaits = new CopyOnWriteArrayList<>();

    /** Wraps {@code delegate}; event loops and dispatch threads must not wait on its stages. */
    public OffThreadEngine(Engine delegate) {
        this(delegate, OffThreadEngine::isLoopOrDispatchThread);
    }

    /** Wraps {@code delegate}; threads that {@code mustNotWait} accepts must not wait on its stages. */
    public OffThreadEngine(Engine delegate, Predicate<Thread> mustNotWait) {
        this.delegate = delegate;
        this.mustNotWait = mustNotWait;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ferry-offthread-engine");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Netty's event loop threads (named after their group, e.g. {@code
     * multiThreadIoEventLoopGroup-3-1}, or Ferry's {@code ferry-client-io-}) and the bus's dispatch
     * threads ({@code ferry-dispatch-}).
     */
    public static boolean isLoopOrDispatchThread(Thread thread) {
        String name = thread.getName().toLowerCase(Locale.ROOT);
        return name.contains("eventloop") || name.startsWith("ferry-client-io-") || name.startsWith("ferry-dispatch-");
    }

    /** The threads (name and where) that tried to wait on a stage of this engine while they must not. */
    public List<String> forbiddenWaits() {
        return List.copyOf(forbiddenWaits);
    }

    /** The wrapped engine. */
    public Engine delegate() {
        return delegate;
    }

    /** Runs {@code operation} on the engine's thread; the returned stage completes there too. */
    private <T> CompletableFuture<T> later(Supplier<? extends CompletionStage<T>> operation) {
        Stage<T> out = new Stage<>();
        try {
            worker.execute(() -> {
                try {
                    operation.get().whenComplete((value, error) -> {
                        if (error != null) {
                            out.completeExceptionally(error);
                        } else {
                            out.complete(value);
                        }
                    });
                } catch (RuntimeException | Error e) {
                    out.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            out.completeExceptionally(new IllegalStateException("the off-thread engine is closed", e));
        }
        return out;
    }

    @Override
    public CompletableFuture<Void> append(String topic, List<PublishRecord> batch) {
        return later(() -> delegate.append(topic, batch));
    }

    @Override
    public Consumer register(String topic, String channel, ConsumerListener listener) {
        Consumer consumer = delegate.register(topic, channel, listener);
        return new Consumer() {
            @Override
            public CompletionStage<List<Lease>> claim(int max, Duration timeout) {
                return later(() -> consumer.claim(max, timeout));
            }

            @Override
            public void close() {
                consumer.close();
            }
        };
    }

    @Override
    public CompletionStage<List<Lease>> claim(String topic, String channel, int max, Duration timeout) {
        return later(() -> delegate.claim(topic, channel, max, timeout));
    }

    @Override
    public CompletionStage<Boolean> ack(Lease lease) {
        return later(() -> delegate.ack(lease));
    }

    @Override
    public CompletionStage<Boolean> nack(Lease lease, Duration delay) {
        return later(() -> delegate.nack(lease, delay));
    }

    @Override
    public CompletionStage<Boolean> extend(Lease lease, Duration timeout) {
        return later(() -> delegate.extend(lease, timeout));
    }

    @Override
    public CompletionStage<Void> createTopic(String topic) {
        return later(() -> delegate.createTopic(topic));
    }

    @Override
    public CompletionStage<Void> deleteTopic(String topic) {
        return later(() -> delegate.deleteTopic(topic));
    }

    @Override
    public CompletionStage<Void> emptyTopic(String topic) {
        return later(() -> delegate.emptyTopic(topic));
    }

    @Override
    public CompletionStage<Void> setTopicPaused(String topic, boolean paused) {
        return later(() -> delegate.setTopicPaused(topic, paused));
    }

    @Override
    public CompletionStage<Void> createChannel(String topic, String channel) {
        return later(() -> delegate.createChannel(topic, channel));
    }

    @Override
    public CompletionStage<Void> deleteChannel(String topic, String channel) {
        return later(() -> delegate.deleteChannel(topic, channel));
    }

    @Override
    public CompletionStage<Void> emptyChannel(String topic, String channel) {
        return later(() -> delegate.emptyChannel(topic, channel));
    }

    @Override
    public CompletionStage<Void> setChannelPaused(String topic, String channel, boolean paused) {
        return later(() -> delegate.setChannelPaused(topic, channel, paused));
    }

    @Override
    public CompletionStage<Void> setDeadLetter(String topic, String channel, DeadLetter policy) {
        return later(() -> delegate.setDeadLetter(topic, channel, policy));
    }

    @Override
    public QueueStateStore queueState() {
        return delegate.queueState();
    }

    @Override
    public CompletionStage<List<TopicStats>> stats() {
        return later(delegate::stats);
    }

    @Override
    public CompletionStage<Optional<TopicStats>> stats(String topic) {
        return later(() -> delegate.stats(topic));
    }

    @Override
    public Registration watch(TopologyListener listener) {
        return delegate.watch(listener);
    }

    /** Lets the operations already called finish, then closes the wrapped engine. */
    @Override
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        delegate.close();
    }

    /** A stage whose blocking methods refuse to run on a thread that must not wait. */
    private final class Stage<T> extends CompletableFuture<T> {
        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new Stage<>();
        }

        private void checkMayWait() {
            Thread thread = Thread.currentThread();
            if (mustNotWait.test(thread)) {
                IllegalStateException e = new IllegalStateException("thread " + thread.getName()
                        + " must not wait for an engine stage, but called a blocking method");
                forbiddenWaits.add(thread.getName() + ": " + e.getStackTrace()[2]);
                throw e;
            }
        }

        @Override
        public T get() throws InterruptedException, ExecutionException {
            checkMayWait();
            return super.get();
        }

        @Override
        public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            checkMayWait();
            return super.get(timeout, unit);
        }

        @Override
        public T join() {
            checkMayWait();
            return super.join();
        }
    }
}
