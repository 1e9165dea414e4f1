package dev.ferry.async;

import dev.ferry.Bus;
import dev.ferry.Names;
import dev.ferry.NotFoundException;
import dev.ferry.async.internal.DurableRoutes;
import dev.ferry.async.internal.Job;
import dev.ferry.async.internal.TickTimer;
import dev.ferry.async.internal.WorkerGroup;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * Work run later or elsewhere, in named groups of worker threads (Kamailio's {@code async} module
 * and core async workers): routes registered by name run after a delay ({@link #route}) or as
 * soon as a worker is idle ({@link #taskRoute}, {@link #taskData}, ...), sleeps continue a
 * computation after a delay ({@link #sleep}), and type-key-value events run one handler ({@link
 * #emitEvent}).
 *
 * <pre>{@code
 * try (Async async = Async.builder()
 *         .workers(2)
 *         .millisecondTimer(Duration.ofMillis(10))
 *         .group("name=slow;workers=4;nonblock=1;usleep=0")
 *         .route("RESUME", task -> resume(task.data()))
 *         .start()) {
 *     async.route("RESUME", Duration.ofMillis(250));   // in 250 ms, on a worker of the default group
 *     async.taskGroupData("RESUME", "slow", "call-42"); // now, on a worker of "slow"
 *     async.sleep(Duration.ofMillis(100)).thenRun(() -> carryOn()); // carryOn runs on a worker
 * }
 * }</pre>
 *
 * <p><b>Delays.</b> A delay of whole seconds may be 1 to 99 s (Kamailio's {@code async_route} and
 * {@code async_sleep}); a delay with a millisecond part (Kamailio's {@code async_ms_route} and {@code
 * async_ms_sleep}) may be 1 ms to 29.999 s, in whole milliseconds, and needs the millisecond timer
 * ({@link Builder#millisecondTimer}).
 *
 * <p><b>Groups.</b> The {@code default} group ({@link Builder#workers}) runs timed routes, sleeps,
 * type-key-value events and the tasks that name no group; named groups run the tasks that name
 * them. Each group has a bounded queue ({@link Builder#queueCapacity}, default 1,000): when it is
 * full a call blocks until there is room, or, in a {@code nonblock} group, throws {@link
 * RejectedExecutionException} at once (counted in {@link AsyncGroupStats#rejected()}).
 *
 * <p><b>Timing.</b> One timer thread ticks at the resolution of {@link Builder#millisecondTimer}
 * (every 100 ms when it is off) and hands the routes that are due to the default group; a route runs at the first tick at or
 * after its due time. Due times come from the builder's clock.
 *
 * <p><b>Futures.</b> Each call returns a future that completes when the route has run (exceptionally
 * with what it threw), or with a {@link java.util.concurrent.CancellationException} when the
 * instance closes first. Dependent stages attached before that run on the worker thread.
 *
 * <p><b>Durable mode</b> ({@link Builder#durable}): {@link #route} publishes a
 * deferred message to a bus topic instead of using the in-process timer, so scheduled routes survive
 * a restart and run in whichever process consumes the topic (any process that registers routes
 * does); their futures complete when the bus has stored the message. Sleeps, tasks and events stay
 * in-process.
 *
 * <p>Errors at the call: a delay out of range, an unknown route or group throw at once ({@link
 * IllegalArgumentException}, {@link NotFoundException}); Kamailio's silent success for an unknown
 * group is not copied.
 *
 * <p>Thread-safe. {@link #close()} cancels pending timers and queued tasks, and interrupts running
 * routes.
 */
public final class Async implements AutoCloseable {
    /** The longest delay of {@link #route} and {@link #sleep} in whole seconds: 99 s. */
    public static final Duration MAX_DELAY = Duration.ofSeconds(99);
    /** The longest delay of {@link #route} and {@link #sleep} with a millisecond part: 29.999 s. */
    public static final Duration MAX_MILLISECOND_DELAY = Duration.ofMillis(29_999);

    private static final Duration UNTIMED_TICK = Duration.ofMillis(100);

    private final Map<String, AsyncRoute> routes;
    private final AsyncEventHandler eventHandler;
    private final Map<String, WorkerGroup> groups;
    private final WorkerGroup defaultGroup;
    private final Duration millisecondTimer;
    private final TickTimer timer;
    private final DurableRoutes durable;

    private Async(Builder b) {
        this.routes = Map.copyOf(b.routes);
        this.eventHandler = b.eventHandler;
        this.millisecondTimer = b.millisecondTimer;
        Map<String, WorkerGroup> g = new LinkedHashMap<>();
        for (AsyncGroupDefinition d : b.groups.values()) {
            g.put(d.name(), new WorkerGroup(d, b.queueCapacity));
        }
        this.groups = java.util.Collections.unmodifiableMap(g);
        this.defaultGroup = groups.get(AsyncGroupDefinition.DEFAULT);
        this.timer = new TickTimer(b.clock, (millisecondTimer.isZero() ? UNTIMED_TICK : millisecondTimer).toMillis());
        this.durable = b.bus == null
                ? null
                : new DurableRoutes(
                        b.bus,
                        b.topic,
                        b.groups.get(AsyncGroupDefinition.DEFAULT).workers(),
                        routes.isEmpty() ? null : this::dispatchDurable);
    }

    /** A builder: one default worker, no millisecond timer, queues of 1,000 tasks, no routes. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- timed routes and sleeps --------------------------------------------------------------------

    /**
     * Runs {@code route} in the default group after {@code delay} (Kamailio's {@code async_route} for
     * whole seconds, {@code async_ms_route} for a delay with milliseconds).
     *
     * @throws IllegalArgumentException for a delay out of range (see Delays above)
     * @throws IllegalStateException for a delay with milliseconds while the millisecond timer is off
     * @throws NotFoundException for a route not registered (in-process mode)
     */
    public CompletableFuture<Void> route(String route, Duration delay) {
        checkDelay("route \"" + route + "\"", delay);
        return timed(route, delay);
    }

    /**
     * A future that completes on a worker of the default group after {@code delay}; chain the rest
     * of the work to it (Kamailio's {@code async_sleep} for whole seconds, {@code async_ms_sleep} for
     * a delay with milliseconds).
     *
     * @throws IllegalArgumentException for a delay out of range (see Delays above)
     * @throws IllegalStateException for a delay with milliseconds while the millisecond timer is off
     */
    public CompletableFuture<Void> sleep(Duration delay) {
        checkDelay("sleep", delay);
        return delayed(new Job("sleep " + delay.toMillis() + " ms", () -> {}), delay.toMillis());
    }

    // ---- tasks ---------------------------------------------------------------------------------------

    /** {@code async_task_route}: runs {@code route} in the default group as soon as a worker is idle. */
    public CompletableFuture<Void> taskRoute(String route) {
        return taskGroupData(route, AsyncGroupDefinition.DEFAULT, "");
    }

    /** {@code async_task_group_route}: runs {@code route} in {@code group} as soon as a worker is idle. */
    public CompletableFuture<Void> taskGroupRoute(String route, String group) {
        return taskGroupData(route, group, "");
    }

    /** {@code async_task_data}: runs {@code route} in the default group with {@code data}. */
    public CompletableFuture<Void> taskData(String route, String data) {
        return taskGroupData(route, AsyncGroupDefinition.DEFAULT, data);
    }

    /**
     * {@code async_task_group_data}: runs {@code route} in {@code group} with {@code data} (the
     * route's {@link AsyncTask#data()}). Blocks while the group's queue is full, unless the group is
     * {@code nonblock}.
     *
     * @throws NotFoundException for an unknown route or group
     * @throws RejectedExecutionException when a nonblock group is full, or after close
     */
    public CompletableFuture<Void> taskGroupData(String route, String group, String data) {
        WorkerGroup g = group(group);
        Job job = job(new AsyncTask(route, group, Objects.requireNonNull(data, "data")));
        g.submit(job);
        return job.future();
    }

    /**
     * Runs the event handler with a type-key-value event in a worker of the default group (Kamailio's
     * {@code async_tkv_emit}).
     *
     * @throws IllegalStateException when no handler is registered ({@link Builder#eventHandler})
     * @throws RejectedExecutionException after close
     */
    public CompletableFuture<Void> emitEvent(String type, String key, String value) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (eventHandler == null) {
            throw new IllegalStateException("no event handler registered (Async.Builder.eventHandler)");
        }
        Job job = new Job("event " + type, () -> eventHandler.handle(type, key, value));
        defaultGroup.submit(job);
        return job.future();
    }

    // ---- observing and closing -----------------------------------------------------------------------

    /** The groups' sizes and counters, the default group first. */
    public List<AsyncGroupStats> stats() {
        return groups.values().stream().map(WorkerGroup::stats).toList();
    }

    /** Timed routes and sleeps waiting for their due time in this process. */
    public int pendingTimers() {
        return timer.pending();
    }

    /** Ticks of the timer so far (tests wait for some to know it looked at the clock). */
    long timerTicks() {
        return timer.ticks();
    }

    /**
     * Stops consuming durable routes (what is running is requeued if it does not finish in time),
     * cancels pending timers and queued tasks, interrupts the routes that are running and waits up to
     * 5 s for them to return. Idempotent.
     */
    @Override
    public void close() {
        if (durable != null) {
            durable.close();
        }
        timer.close();
        try {
            for (WorkerGroup g : groups.values()) {
                g.close(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- internals -----------------------------------------------------------------------------------

    private CompletableFuture<Void> timed(String route, Duration delay) {
        AsyncTask task = new AsyncTask(route, AsyncGroupDefinition.DEFAULT, "");
        if (durable != null) {
            return durable.schedule(task, delay);
        }
        return delayed(job(task), delay.toMillis());
    }

    private CompletableFuture<Void> delayed(Job job, long millis) {
        timer.schedule(millis, job, defaultGroup::submit);
        return job.future();
    }

    private CompletableFuture<Void> dispatchDurable(AsyncTask task) {
        Job job = job(task);
        group(task.group()).submit(job);
        return job.future();
    }

    private Job job(AsyncTask task) {
        AsyncRoute r = routes.get(Objects.requireNonNull(task.route(), "route"));
        if (r == null) {
            throw new NotFoundException("no async route \"" + task.route() + "\" (registered: "
                    + String.join(", ", routes.keySet().stream().sorted().toList()) + ")");
        }
        return new Job("route " + task.route(), () -> r.run(task));
    }

    private WorkerGroup group(String name) {
        WorkerGroup g = groups.get(Objects.requireNonNull(name, "group"));
        if (g == null) {
            throw new NotFoundException(
                    "no async group \"" + name + "\" (groups: " + String.join(", ", groups.keySet()) + ")");
        }
        return g;
    }

    /**
     * Checks a delay against Kamailio's ranges: whole seconds 1-99 s; with a millisecond part, whole
     * milliseconds 1-29999 ms and the millisecond timer on.
     */
    private void checkDelay(String what, Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.toNanosPart() % 1_000_000 != 0 || delay.getSeconds() < 0) {
            throw new IllegalArgumentException(
                    what + ": a delay must be a positive whole number of milliseconds, got " + delay);
        }
        if (delay.toMillisPart() == 0) {
            if (delay.compareTo(Duration.ofSeconds(1)) < 0 || delay.compareTo(MAX_DELAY) > 0) {
                throw new IllegalArgumentException(what + ": a delay of whole seconds must be 1-"
                        + MAX_DELAY.toSeconds() + " s, got " + delay.toSeconds() + " s");
            }
            return;
        }
        if (millisecondTimer.isZero()) {
            throw new IllegalStateException(what + ": a delay with milliseconds (" + delay.toMillis()
                    + " ms) needs the millisecond timer: set Async.Builder.millisecondTimer above zero");
        }
        if (delay.compareTo(MAX_MILLISECOND_DELAY) > 0) {
            throw new IllegalArgumentException(what + ": a delay with milliseconds must be 1-"
                    + MAX_MILLISECOND_DELAY.toMillis() + " ms, got " + delay.toMillis() + " ms");
        }
    }

    /** Collects the groups, routes and timer settings, then {@link #start()}s. Not thread-safe. */
    public static final class Builder {
        private final Map<String, AsyncGroupDefinition> groups = new LinkedHashMap<>();
        private final Map<String, AsyncRoute> routes = new LinkedHashMap<>();
        private AsyncEventHandler eventHandler;
        private int queueCapacity = 1_000;
        private Duration millisecondTimer = Duration.ZERO;
        private Clock clock = Clock.systemUTC();
        private Bus bus;
        private String topic;

        private Builder() {
            groups.put(
                    AsyncGroupDefinition.DEFAULT,
                    new AsyncGroupDefinition(AsyncGroupDefinition.DEFAULT, 1, false, Duration.ZERO));
        }

        /** Worker threads of the default group (Kamailio's {@code workers}; default 1). */
        public Builder workers(int value) {
            groups.put(
                    AsyncGroupDefinition.DEFAULT,
                    new AsyncGroupDefinition(AsyncGroupDefinition.DEFAULT, value, false, Duration.ZERO));
            return this;
        }

        /**
         * Adds a group in Kamailio's syntax, {@code name=..;workers=..;nonblock=..;usleep=..}; a group
         * named {@code default} replaces the default group.
         *
         * @throws IllegalArgumentException for a bad definition or a name already defined
         */
        public Builder group(String definition) {
            return group(AsyncGroupDefinition.parse(definition));
        }

        /**
         * Adds a group; one named {@code default} replaces the default group.
         *
         * @throws IllegalArgumentException for a name already defined
         */
        public Builder group(AsyncGroupDefinition definition) {
            if (!definition.name().equals(AsyncGroupDefinition.DEFAULT) && groups.containsKey(definition.name())) {
                throw new IllegalArgumentException("async group \"" + definition.name() + "\" is defined twice");
            }
            groups.put(definition.name(), definition);
            return this;
        }

        /** The most tasks each group's queue holds (default 1,000). */
        public Builder queueCapacity(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("async queue capacity must be at least 1, got " + value);
            }
            this.queueCapacity = value;
            return this;
        }

        /**
         * Turns the millisecond timer on with the given resolution (Kamailio's {@code ms_timer}), in
         * whole milliseconds: delays with a millisecond part need it (default {@link Duration#ZERO}:
         * off; delays of whole seconds then tick every 100 ms).
         *
         * @throws IllegalArgumentException for a negative resolution or one that is not whole
         *     milliseconds
         */
        public Builder millisecondTimer(Duration resolution) {
            Objects.requireNonNull(resolution, "resolution");
            if (resolution.isNegative() || resolution.toNanosPart() % 1_000_000 != 0) {
                throw new IllegalArgumentException(
                        "the millisecond timer's resolution must be zero (off) or a positive whole number of"
                                + " milliseconds, got " + resolution);
            }
            this.millisecondTimer = resolution;
            return this;
        }

        /** The clock due times are read from (tests inject one they move). */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Registers a route by name.
         *
         * @throws IllegalArgumentException for an empty name or one already registered
         */
        public Builder route(String name, AsyncRoute route) {
            Objects.requireNonNull(route, "route");
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("async route name must not be empty");
            }
            if (routes.putIfAbsent(name, route) != null) {
                throw new IllegalArgumentException("async route \"" + name + "\" is registered twice");
            }
            return this;
        }

        /** Registers the handler of the type-key-value events of {@link Async#emitEvent}. */
        public Builder eventHandler(AsyncEventHandler handler) {
            this.eventHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Keeps timed routes on {@code bus}, as deferred messages to {@code topic}; if any route is
         * registered, this instance also consumes the topic's {@code workers} channel (shared with
         * every other process that does). The bus stays the caller's: close it after this instance.
         */
        public Builder durable(Bus bus, String topic) {
            this.bus = Objects.requireNonNull(bus, "bus");
            this.topic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /** Starts the worker threads and the timer (and the durable consumer). */
        public Async start() {
            if (topic != null && !Names.isValid(topic)) {
                throw new IllegalArgumentException("durable async topic \"" + topic + "\" is not a valid topic name");
            }
            return new Async(this);
        }
    }
}
