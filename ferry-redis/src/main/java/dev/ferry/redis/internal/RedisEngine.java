package dev.ferry.redis.internal;

import static dev.ferry.redis.internal.Replies.arg;

import dev.ferry.ChannelStats;
import dev.ferry.DeadLetter;
import dev.ferry.Names;
import dev.ferry.NotFoundException;
import dev.ferry.TopicStats;
import dev.ferry.spi.Engine;
import dev.ferry.spi.Lease;
import dev.ferry.spi.PublishRecord;
import dev.ferry.support.Timers;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine on Redis. It holds no message state of its own: every topic and channel lives in the
 * Redis instance {@link Placement} picks for the topic, and every step of the data path (publish a
 * batch, claim several messages, answer leases) is one Lua script run atomically there, so several
 * nodes on the same Redis are one broker. {@code docs/REDIS.md} describes the keys.
 *
 * <h2>Threads</h2>
 *
 * Methods never block (except {@link #open}, {@link #close} and a consumer's close, which waits
 * briefly for its unregistration so that its topology changes are told in order): they send a
 * script and return a stage that completes on a Lettuce I/O thread. One timer beat ({@link
 * Timers}, every {@code tick}) sends, for each channel this node has consumers on, a check of what
 * came due (deferrals, other nodes' publishes, leases past their deadline) and an expiry of this
 * node's own leases past their deadline; answers arrive on Lettuce threads, where listeners are
 * told.
 *
 * <h2>Time</h2>
 *
 * Deadlines and due times come from the engine's clock (the bus's), passed to every script, never
 * from Redis's own clock: nodes must have their clocks in step (NTP) as for any lease-based system.
 */
public final class RedisEngine implements Engine {
    private static final Logger log = LoggerFactory.getLogger(RedisEngine.class);
    /** How long a message being moved to its dead-letter topic stays in flight before it is retried. */
    private static final long DEAD_LETTER_HOLD_MILLIS = 60_000;
    /** The most messages one claim hands out. */
    private static final int MAX_CLAIM = 5_000;
    /** A value's 8-byte timestamp (nanoseconds), big-endian. */
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final RedisSettings settings;
    private final Clock clock;
    private final ClientResources resources;
    private final Placement placement;
    private final Topology topology;
    private final Map<String, ChannelGroup> groups = new ConcurrentHashMap<>();
    private final Map<String, AnswerBatcher> batchers = new ConcurrentHashMap<>();
    private final Map<String, PublishBatcher> publishers = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> ticker;
    private volatile boolean closed;
    /** The queues in node busmq's layout, opened on first use. */
    private RedisBusmqQueues busmq;

    private RedisEngine(RedisSettings settings, Clock clock, ClientResources resources, List<RedisNode> nodes) {
        this.settings = settings;
        this.clock = clock;
        this.resources = resources;
        this.placement = new Placement(nodes);
        String nodeId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        this.topology = new Topology(nodeId, placement);
        this.ticker = Timers.every(settings.tick(), this::tick);
    }

    /**
     * Connects to every instance of {@code settings}; blocks until connected.
     *
     * @throws dev.ferry.StorageException naming the instance that cannot be reached or refuses
     */
    static RedisEngine open(RedisSettings settings, Clock clock) {
        // reconnect soon after a failover or restart: 20 ms doubling up to 1 s (Lettuce's default
        // grows to 30 s, leaving consumers idle long after Redis is back)
        ClientResources resources = DefaultClientResources.builder()
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        List<RedisNode> nodes = new ArrayList<>();
        try {
            for (RedisInstance instance : settings.instances()) {
                nodes.add(RedisNode.open(instance, settings, resources));
            }
        } catch (RuntimeException e) {
            nodes.forEach(RedisNode::close);
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            throw e;
        }
        return new RedisEngine(settings, clock, resources, nodes);
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.DEAD_LETTERS);
    }

    /** busmq queues in node busmq 3.1's layout (see docs/BUSMQ.md), opened on first use. */
    @Override
    public synchronized Optional<dev.ferry.spi.BusmqQueues> busmqQueues() {
        if (busmq == null) {
            busmq = RedisBusmqQueues.open(settings, resources, clock);
        }
        return Optional.of(busmq);
    }

    RedisNode node(String topic) {
        return placement.of(topic);
    }

    // ---- the data path --------------------------------------------------------------------------

    /**
     * Publishes {@code batch} through the topic's {@link PublishBatcher}: at once when fewer than two
     * publishes of the topic are out, else together with the others that arrive meanwhile.
     */
    @Override
    public CompletableFuture<Void> append(String topic, List<PublishRecord> batch) {
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return publishers
                .computeIfAbsent(topic, t -> new PublishBatcher(records -> store(t, records)))
                .submit(batch);
    }

    /** One publish script call with {@code batch}, in order. */
    private CompletableFuture<Void> store(String topic, List<PublishRecord> batch) {
        Instant now = clock.instant();
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        // one delay for the whole batch (an MPUB: none; a DPUB: one message) saves an argument per
        // message; a batch whose delays differ gives each message its own (-1)
        long shared = batch.get(0).deferMillis();
        for (PublishRecord r : batch) {
            if (r.deferMillis() != shared) {
                shared = -1;
                break;
            }
        }
        int step = shared < 0 ? 2 : 1;
        byte[][] args = new byte[4 + step * batch.size()][];
        args[0] = arg(topic);
        args[1] = arg(now.toEpochMilli());
        args[2] = arg(settings.memQueueSize());
        args[3] = arg(shared);
        int i = 4;
        for (PublishRecord r : batch) {
            if (step == 2) {
                args[i++] = arg(r.deferMillis());
            }
            byte[] body = r.body();
            byte[] value = new byte[8 + body.length];
            putLong(value, nanos);
            System.arraycopy(body, 0, value, 8, body.length);
            args[i++] = value;
        }
        return node(topic)
                .publish(topic, settings.waitReplicas(), settings.waitTimeout().toMillis(), args)
                .thenApply(reply -> {
                    if (Replies.number(reply, 0) == 1) {
                        topology.topicCreated(topic);
                    }
                    for (ChannelGroup g : groups.values()) {
                        if (g.topic.equals(topic)) {
                            g.available();
                        }
                    }
                    return null;
                });
    }

    @Override
    public Consumer register(String topic, String channel, ConsumerListener listener) {
        // joined to its group atomically with the timer's removal of empty groups (tick): a consumer
        // added to a group the timer just removed would never hear of publishes or come-due work
        RedisConsumer[] made = new RedisConsumer[1];
        groups.compute(key(topic, channel), (k, g) -> {
            ChannelGroup group = g != null ? g : new ChannelGroup(topic, channel);
            made[0] = new RedisConsumer(this, group, listener);
            group.consumers.add(made[0]);
            return group;
        });
        RedisConsumer consumer = made[0];
        consumer.ensureRegistered();
        return consumer;
    }

    /** Counts {@code consumer} in Redis (creating its topic and channel); completes when done. */
    CompletableFuture<Void> registerInRedis(RedisConsumer consumer) {
        ChannelGroup g = consumer.group;
        return admin("register", g.topic, g.channel).thenApply(reply -> {
            created(g.topic, g.channel, reply);
            return null;
        });
    }

    /** Removes {@code consumer}: counted out in Redis, its ephemeral channel and topic deleted with it. */
    void unregister(RedisConsumer consumer, CompletableFuture<Void> registered) {
        ChannelGroup g = consumer.group;
        g.consumers.remove(consumer);
        if (registered == null || registered.isCompletedExceptionally() || closed) {
            return;
        }
        CompletableFuture<Void> done = registered
                .thenCompose(ok -> admin("unregister", g.topic, g.channel))
                .thenAccept(reply -> {
                    if (reply.size() > 2 && Replies.number(reply, 1) == 1) {
                        topology.channelDeleted(g.topic, g.channel);
                        if (Replies.number(reply, 2) == 1) {
                            topology.topicDeleted(g.topic);
                        }
                    }
                });
        try {
            // wait briefly, so that a watcher hears of the channel going before close returns
            done.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            node(g.topic).errors().warnRateLimited(log, "unregistering a consumer of " + g.topic + "/" + g.channel, e);
        }
    }

    @Override
    public CompletionStage<List<Lease>> claim(String topic, String channel, int max, Duration timeout) {
        return claim(topic, channel, max, timeout, null);
    }

    /** Claims for {@code consumer} (null: nobody hears of expiry). */
    CompletableFuture<List<Lease>> claim(
            String topic, String channel, int max, Duration timeout, RedisConsumer consumer) {
        if (max <= 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        // a script takes a few thousand arguments at most; a larger claim gets the rest next time
        max = Math.min(max, MAX_CLAIM);
        long now = clock.millis();
        long deadline = now + timeout.toMillis();
        return node(topic)
                .run(
                        Script.CLAIM,
                        topic,
                        arg(topic),
                        arg(channel),
                        arg(now),
                        arg(max),
                        arg(deadline),
                        arg(DEAD_LETTER_HOLD_MILLIS))
                .thenApply(reply -> {
                    int n = (int) Replies.number(reply, 1);
                    List<Lease> leases = new ArrayList<>(n);
                    int at = 2;
                    for (int k = 0; k < n; k++, at += 3) {
                        Lease lease = lease(topic, channel, reply, at);
                        if (consumer != null) {
                            consumer.track(lease, deadline);
                        }
                        leases.add(lease);
                    }
                    int dead = (int) Replies.number(reply, at);
                    if (dead > 0) {
                        String target = Replies.text(reply, at + 1);
                        for (int k = 0, d = at + 2; k < dead; k++, d += 3) {
                            moveToDeadLetters(lease(topic, channel, reply, d), target);
                        }
                    }
                    return leases;
                });
    }

    private static Lease lease(String topic, String channel, List<Object> reply, int at) {
        long id = Replies.number(reply, at);
        int attempts = (int) Replies.number(reply, at + 1);
        byte[] value = Replies.bytes(reply, at + 2);
        long timestamp = getLong(value);
        byte[] body = Arrays.copyOfRange(value, 8, value.length);
        return new Lease(topic, channel, id, id, timestamp, attempts, body);
    }

    /** Writes {@code n} big-endian into the first 8 bytes of {@code into}. */
    private static void putLong(byte[] into, long n) {
        LONG.set(into, 0, n);
    }

    /** Reads the big-endian long in the first 8 bytes of {@code from}. */
    private static long getLong(byte[] from) {
        return (long) LONG.get(from, 0);
    }

    /** Appends a message past its attempts to {@code target}, then finishes it; requeues it on failure. */
    private void moveToDeadLetters(Lease lease, String target) {
        append(target, List.of(PublishRecord.of(lease.body())))
                .thenCompose(ok -> answers(lease).submit("dead", lease, 0))
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        log.warn(
                                "moving message {} of {}/{} to the dead-letter topic {} failed; it is retried: {}",
                                lease.idHex(),
                                lease.topic(),
                                lease.channel(),
                                target,
                                failure.getMessage());
                        answers(lease).submit("req", lease, 0);
                    }
                });
    }

    /**
     * FIN. A lease that this node's consumer holds and whose deadline has not passed is finished at
     * once: the finish is queued for Redis (batched with the channel's other answers) and the stage
     * completes with {@code true} without waiting for it, since nothing but its deadline can make such
     * a lease stale before the finish arrives (a finish lost with the node or Redis leaves the message
     * in flight, and it is delivered again after its timeout, as at-least-once allows). Any other
     * lease waits for Redis's verdict.
     */
    @Override
    public CompletionStage<Boolean> ack(Lease lease) {
        boolean held = forget(lease, clock.millis());
        CompletableFuture<Boolean> verdict = answers(lease).submit("fin", lease, 0);
        if (!held) {
            return verdict;
        }
        verdict.whenComplete((ok, failure) -> {
            if (failure != null) {
                node(lease.topic())
                        .errors()
                        .warnRateLimited(
                                log, "finishing messages of " + lease.topic() + "/" + lease.channel(), failure);
            }
        });
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletionStage<Boolean> nack(Lease lease, Duration delay) {
        forget(lease, Long.MIN_VALUE);
        return answers(lease).submit("req", lease, delay.toMillis()).thenApply(done -> {
            if (done && delay.isZero()) {
                ChannelGroup g = groups.get(key(lease.topic(), lease.channel()));
                if (g != null) {
                    g.available();
                }
            }
            return done;
        });
    }

    @Override
    public CompletionStage<Boolean> extend(Lease lease, Duration timeout) {
        long deadline = clock.millis() + timeout.toMillis();
        ChannelGroup g = groups.get(key(lease.topic(), lease.channel()));
        if (g != null) {
            for (RedisConsumer c : g.consumers) {
                c.extend(lease, deadline);
            }
        }
        return answers(lease).submit("touch", lease, timeout.toMillis());
    }

    /**
     * Forgets a lease being answered; true when one of this node's consumers held it with a deadline
     * after {@code now}.
     */
    private boolean forget(Lease lease, long now) {
        ChannelGroup g = groups.get(key(lease.topic(), lease.channel()));
        if (g != null) {
            for (RedisConsumer c : g.consumers) {
                Long deadline = c.forget(lease);
                if (deadline != null) {
                    return deadline > now;
                }
            }
        }
        return false;
    }

    private AnswerBatcher answers(Lease lease) {
        return batchers.computeIfAbsent(
                key(lease.topic(), lease.channel()),
                k -> new AnswerBatcher(node(lease.topic()), lease.topic(), lease.channel(), clock));
    }

    // ---- the timer ------------------------------------------------------------------------------

    private void tick() {
        if (closed) {
            return;
        }
        long now = clock.millis();
        batchers.entrySet()
                .removeIf(e -> !groups.containsKey(e.getKey()) && e.getValue().idle());
        publishers.values().removeIf(PublishBatcher::idle);
        for (ChannelGroup g : groups.values()) {
            if (g.consumers.isEmpty()) {
                groups.computeIfPresent(
                        key(g.topic, g.channel), (k, current) -> current.consumers.isEmpty() ? null : current);
                continue;
            }
            for (RedisConsumer c : g.consumers) {
                if (c.registrationFailed()) {
                    c.ensureRegistered();
                }
            }
            expireDue(g, now);
            if (g.peeking.compareAndSet(false, true)) {
                node(g.topic)
                        .run(Script.PEEK, g.topic, arg(g.topic), arg(g.channel), arg(now))
                        .whenComplete((reply, failure) -> {
                            g.peeking.set(false);
                            if (failure != null) {
                                node(g.topic)
                                        .errors()
                                        .warnRateLimited(log, "watching " + g.topic + "/" + g.channel, failure);
                            } else if (Replies.number(reply, 0) == 1) {
                                g.available();
                            }
                        });
            }
        }
    }

    /** Expires this node's leases of {@code g} past their deadline, and tells their consumers. */
    private void expireDue(ChannelGroup g, long now) {
        List<Lease> due = new ArrayList<>();
        List<RedisConsumer> owners = new ArrayList<>();
        for (RedisConsumer c : g.consumers) {
            for (Lease l : c.due(now)) {
                due.add(l);
                owners.add(c);
            }
        }
        if (due.isEmpty() || !g.expiring.compareAndSet(false, true)) {
            return;
        }
        byte[][] args = new byte[4 + 3 * due.size()][];
        args[0] = arg(g.topic);
        args[1] = arg(g.channel);
        args[2] = arg("expire");
        args[3] = arg(now);
        int i = 4;
        for (Lease l : due) {
            args[i++] = arg((Long) l.handle());
            args[i++] = arg(l.attempts());
            args[i++] = arg(0);
        }
        node(g.topic).run(Script.ANSWER, g.topic, args).whenComplete((reply, failure) -> {
            g.expiring.set(false);
            if (failure != null) {
                node(g.topic).errors().warnRateLimited(log, "expiring leases of " + g.topic + "/" + g.channel, failure);
                return;
            }
            boolean requeued = false;
            for (int k = 0; k < due.size(); k++) {
                long result = Replies.number(reply, k);
                if (result == 2) {
                    owners.get(k).extend(due.get(k), now + settings.tick().toMillis());
                } else {
                    requeued |= result == 1;
                    owners.get(k).expired(due.get(k));
                }
            }
            if (requeued) {
                g.available();
            }
        });
    }

    // ---- administration -------------------------------------------------------------------------

    private CompletableFuture<List<Object>> admin(String op, String topic, String channel, String... more) {
        byte[][] args = new byte[3 + more.length][];
        args[0] = arg(op);
        args[1] = arg(topic);
        args[2] = arg(channel == null ? "" : channel);
        for (int i = 0; i < more.length; i++) {
            args[3 + i] = arg(more[i]);
        }
        return node(topic).run(Script.ADMIN, topic, args).thenApply(reply -> {
            long code = Replies.number(reply, 0);
            if (code == -1) {
                throw new NotFoundException("topic '" + topic + "' does not exist");
            }
            if (code == -2) {
                throw new NotFoundException("channel '" + channel + "' of topic '" + topic + "' does not exist");
            }
            return reply;
        });
    }

    private void created(String topic, String channel, List<Object> reply) {
        if (Replies.number(reply, 1) == 1) {
            topology.topicCreated(topic);
        }
        if (reply.size() > 2 && Replies.number(reply, 2) == 1) {
            topology.channelCreated(topic, channel);
        }
    }

    /** Tells the local consumers of the channel (or of every channel of the topic) their leases are gone. */
    private void dropLeases(String topic, String channel) {
        for (ChannelGroup g : groups.values()) {
            if (g.topic.equals(topic) && (channel == null || g.channel.equals(channel))) {
                for (RedisConsumer c : g.consumers) {
                    c.dropAll();
                }
            }
        }
    }

    @Override
    public CompletionStage<Void> createTopic(String topic) {
        return admin("create-topic", topic, null).thenAccept(reply -> created(topic, null, reply));
    }

    @Override
    public CompletionStage<Void> deleteTopic(String topic) {
        return admin("delete-topic", topic, null).thenAccept(reply -> {
            dropLeases(topic, null);
            for (int i = 1; i < reply.size(); i++) {
                topology.channelDeleted(topic, Replies.text(reply, i));
            }
            topology.topicDeleted(topic);
        });
    }

    @Override
    public CompletionStage<Void> emptyTopic(String topic) {
        return admin("empty-topic", topic, null).thenAccept(reply -> {});
    }

    @Override
    public CompletionStage<Void> setTopicPaused(String topic, boolean paused) {
        return admin("pause-topic", topic, null, paused ? "1" : "0").thenAccept(reply -> {
            if (!paused) {
                groups.values().stream().filter(g -> g.topic.equals(topic)).forEach(ChannelGroup::available);
            }
        });
    }

    @Override
    public CompletionStage<Void> createChannel(String topic, String channel) {
        return admin("create-channel", topic, channel).thenAccept(reply -> created(topic, channel, reply));
    }

    @Override
    public CompletionStage<Void> deleteChannel(String topic, String channel) {
        return admin("delete-channel", topic, channel).thenAccept(reply -> {
            dropLeases(topic, channel);
            topology.channelDeleted(topic, channel);
        });
    }

    @Override
    public CompletionStage<Void> emptyChannel(String topic, String channel) {
        return admin("empty-channel", topic, channel).thenAccept(reply -> dropLeases(topic, channel));
    }

    @Override
    public CompletionStage<Void> setChannelPaused(String topic, String channel, boolean paused) {
        return admin("pause-channel", topic, channel, paused ? "1" : "0").thenAccept(reply -> {
            ChannelGroup g = groups.get(key(topic, channel));
            if (!paused && g != null) {
                g.available();
            }
        });
    }

    @Override
    public CompletionStage<Void> setDeadLetter(String topic, String channel, DeadLetter policy) {
        if (!policy.enabled()) {
            return admin("dead-letter", topic, channel, "0", "").thenAccept(reply -> {});
        }
        String target;
        try {
            target = policy.topicFor(topic);
            Names.checkTopic(target);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (target.equals(topic)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "the dead-letter topic of '" + topic + "' cannot be the topic itself"));
        }
        String explicit = policy.topic() == null ? "" : policy.topic();
        return admin("dead-letter", topic, channel, String.valueOf(policy.maxAttempts()), target, explicit)
                .thenAccept(reply -> {});
    }

    // ---- statistics -----------------------------------------------------------------------------

    @Override
    public CompletionStage<List<TopicStats>> stats() {
        List<CompletableFuture<List<TopicStats>>> perNode = new ArrayList<>();
        for (RedisNode node : placement.all()) {
            perNode.add(node.topics().thenCompose(names -> {
                List<CompletableFuture<Optional<TopicStats>>> each = new ArrayList<>();
                for (String name : names) {
                    if (placement.of(name) == node) {
                        each.add(stats(name).toCompletableFuture());
                    }
                }
                return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                        .thenApply(x -> each.stream()
                                .map(CompletableFuture::join)
                                .flatMap(Optional::stream)
                                .toList());
            }));
        }
        return CompletableFuture.allOf(perNode.toArray(CompletableFuture[]::new))
                .thenApply(x -> perNode.stream()
                        .flatMap(f -> f.join().stream())
                        .sorted(Comparator.comparing(TopicStats::name))
                        .toList());
    }

    @Override
    public CompletionStage<Optional<TopicStats>> stats(String topic) {
        return node(topic)
                .run(Script.STATS, topic, arg(topic), arg(clock.millis()))
                .thenApply(reply -> reply.isEmpty() ? Optional.empty() : Optional.of(topicStats(topic, reply)));
    }

    private static TopicStats topicStats(String topic, List<Object> r) {
        int n = (int) Replies.number(r, 5);
        List<ChannelStats> channels = new ArrayList<>(n);
        int at = 6;
        for (int k = 0; k < n; k++, at += 13) {
            String name = Replies.text(r, at);
            int dlmax = (int) Replies.number(r, at + 10);
            String dltopic = Replies.text(r, at + 11);
            DeadLetter policy = dlmax > 0 ? new DeadLetter(dlmax, dltopic.isEmpty() ? null : dltopic) : DeadLetter.NONE;
            channels.add(new ChannelStats(
                    name,
                    Replies.number(r, at + 1),
                    Replies.number(r, at + 2),
                    Replies.number(r, at + 3),
                    Replies.number(r, at + 4),
                    Replies.number(r, at + 5),
                    Replies.number(r, at + 6),
                    Replies.number(r, at + 7),
                    (int) Replies.number(r, at + 8),
                    Replies.number(r, at + 9) == 1,
                    Names.isEphemeral(name),
                    policy,
                    Replies.number(r, at + 12)));
        }
        return new TopicStats(
                topic,
                Replies.number(r, 0),
                Replies.number(r, 1),
                Replies.number(r, 2),
                0,
                Replies.number(r, 3),
                0,
                Replies.number(r, 4) == 1,
                Names.isEphemeral(topic),
                channels);
    }

    @Override
    public Registration watch(TopologyListener listener) {
        return topology.watch(listener);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        for (ChannelGroup g : groups.values()) {
            for (RedisConsumer c : g.consumers) {
                c.close();
            }
        }
        closed = true;
        ticker.cancel(false);
        synchronized (this) {
            if (busmq != null) {
                busmq.close();
            }
        }
        placement.all().forEach(RedisNode::close);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static String key(String topic, String channel) {
        return topic + "/" + channel;
    }
}
