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
 * and core async workers): routes registered by name run after a delay ({@link #route}, {@link
 * #msRoute}) or as soon as a worker is idle ({@link #taskRoute}, {@link #taskData}, ...), sleeps
 * continue a computation after a delay ({@link #sleep}), and type-key-value events run one handler
 * ({@link #tkvEmit}).
 *
 * <pre>{@code
 * try (Async async = Async.builder()
 *         .workers(2)
 *         .msTimer(10)
 *         .group("name=slow;workers=4;nonblock=1;usleep=0")
 *         .route("RESUME", task -> resume(task.data()))
 *         .start()) {
 *     async.msRoute("RESUME", 250);                    // in 250 ms, on a worker of the default group
 *     async.taskGroupData("RESUME", "slow", "call-42"); // now, on a worker of "slow"
 *     async.msSleep(100).thenRun(() -> carryOn());      // carryOn runs on a worker, not here
 * }
 * }</pre>
 *
 * <p><b>Groups.</b> The {@code default} group ({@link Builder#workers}) runs timed routes, sleeps,
 * type-key-value events and the tasks that name no group; named groups run the tasks that name
 * them. Each group has a bounded queue ({@link Builder#queueCapacity}, default 1,000): when it is
 * full a call blocks until there is room, or, in a {@code nonblock} group, throws {@link
 * RejectedExecutionException} at once (counted in {@link AsyncGroupStats#rejected()}).
 *
 * <p><b>Timing.</b> One timer thread ticks every {@link Builder#msTimer} ms (every 100 ms when it is
 * 0) and hands the routes that are due to the default group; a route runs at the first tick at or
 * after its due time. Due times come from the builder's clock.
 *
 * <p><b>Futures.</b> Each call returns a future that completes when the route has run (exceptionally
 * with what it threw), or with a {@link java.util.concurrent.CancellationException} when the
 * instance closes first. Dependent stages attached before that run on the worker thread.
 *
 * <p><b>Durable mode</b> ({@link Builder#durable}): {@link #route} and {@link #msRoute} publish a
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
    /** The longest delay of {@link #route} and {@link #sleep}, in seconds. */
    public static final int MAX_SECONDS = 99;
    /** The longest delay of {@link #msRoute} and {@link #msSleep}, in milliseconds. */
    public static final int MAX_MILLIS = 29_999;

    private final Map<String, AsyncRoute> routes;
    private final AsyncTkvHandler tkvHandler;
    private final Map<String, WorkerGroup> groups;
    private final WorkerGroup defaultGroup;
    private final int msTimer;
    private final TickTimer timer;
    private final DurableRoutes durable;

    private Async(Builder b) {
        this.routes = Map.copyOf(b.routes);
        this.tkvHandler = b.tkvHandler;
        this.msTimer = b.msTimer;
        Map<String, WorkerGroup> g = new LinkedHashMap<>();
        for (AsyncGroupDefinition d : b.groups.values()) {
            g.put(d.name(), new WorkerGroup(d, b.queueCapacity));
        }
        this.groups = java.util.Collections.unmodifiableMap(g);
        this.defaultGroup = groups.get(AsyncGroupDefinition.DEFAULT);
        this.timer = new TickTimer(b.clock, msTimer > 0 ? msTimer : 100);
        this.durable = b.bus == null
                ? null
                : new DurableRoutes(
                        b.bus,
                        b.topic,
                        b.groups.get(AsyncGroupDefinition.DEFAULT).workers(),
                        routes.isEmpty() ? null : this::dispatchDurable);
    }

    /** A builder: one default worker, no ms timer, queues of 1,000 tasks, no routes. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- timed routes and sleeps --------------------------------------------------------------------

    /**
     * {@code async_route}: runs {@code route} in the default group after {@code seconds}.
     *
     * @throws IllegalArgumentException unless 1 &le; seconds &le; {@value #MAX_SECONDS}
     * @throws NotFoundException for a route not registered (in-process mode)
     */
    public CompletableFuture<Void> route(String route, int seconds) {
        checkRange("seconds", seconds, MAX_SECONDS, "route \"" + route + "\"");
        return timed(route, Duration.ofSeconds(seconds));
    }

    /**
     * {@code async_ms_route}: runs {@code route} in the default group after {@code millis}.
     *
     * @throws IllegalStateException when the ms timer is off ({@link Builder#msTimer} 0)
     * @throws IllegalArgumentException unless 1 &le; millis &le; {@value #MAX_MILLIS}
     * @throws NotFoundException for a route not registered (in-process mode)
     */
    public CompletableFuture<Void> msRoute(String route, int millis) {
        checkMsTimer("msRoute");
        checkRange("milliseconds", millis, MAX_MILLIS, "route \"" + route + "\"");
        return timed(route, Duration.ofMillis(millis));
    }

    /**
     * {@code async_sleep}: a future that completes on a worker of the default group after {@code
     * seconds}; chain the rest of the work to it.
     *
     * @throws IllegalArgumentException unless 1 &le; seconds &le; {@value #MAX_SECONDS}
     */
    public CompletableFuture<Void> sleep(int seconds) {
        checkRange("seconds", seconds, MAX_SECONDS, "sleep");
        return delayed(new Job("sleep " + seconds + " s", () -> {}), seconds * 1000L);
    }

    /**
     * {@code async_ms_sleep}: a future that completes on a worker of the default group after {@code
     * millis}.
     *
     * @throws IllegalStateException when the ms timer is off
     * @throws IllegalArgumentException unless 1 &le; millis &le; {@value #MAX_MILLIS}
     */
    public CompletableFuture<Void> msSleep(int millis) {
        checkMsTimer("msSleep");
        checkRange("milliseconds", millis, MAX_MILLIS, "sleep");
        return delayed(new Job("sleep " + millis + " ms", () -> {}), millis);
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
     * {@code async_tkv_emit}: runs the type-key-value handler with the event in a worker of the
     * default group.
     *
     * @throws IllegalStateException when no handler is registered ({@link Builder#tkvHandler})
     * @throws RejectedExecutionException after close
     */
    public CompletableFuture<Void> tkvEmit(String type, String key, String value) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (tkvHandler == null) {
            throw new IllegalStateException("no type-key-value handler registered (Async.Builder.tkvHandler)");
        }
        Job job = new Job("tkv event " + type, () -> tkvHandler.handle(type, key, value));
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

    private void checkMsTimer(String what) {
        if (msTimer <= 0) {
            throw new IllegalStateException(what + " needs the millisecond timer: set Async.Builder.msTimer(ms) > 0");
        }
    }

    private static void checkRange(String unit, int value, int max, String what) {
        if (value < 1 || value > max) {
            throw new IllegalArgumentException(what + ": " + unit + " must be 1-" + max + ", got " + value);
        }
    }

    /** Collects the groups, routes and timer settings, then {@link #start()}s. Not thread-safe. */
    public static final class Builder {
        private final Map<String, AsyncGroupDefinition> groups = new LinkedHashMap<>();
        private final Map<String, AsyncRoute> routes = new LinkedHashMap<>();
        private AsyncTkvHandler tkvHandler;
        private int queueCapacity = 1_000;
        private int msTimer;
        private Clock clock = Clock.systemUTC();
        private Bus bus;
        private String topic;

        private Builder() {
            groups.put(
                    AsyncGroupDefinition.DEFAULT, new AsyncGroupDefinition(AsyncGroupDefinition.DEFAULT, 1, false, 0));
        }

        /** Worker threads of the default group (Kamailio's {@code workers}; default 1). */
        public Builder workers(int value) {
            groups.put(
                    AsyncGroupDefinition.DEFAULT,
                    new AsyncGroupDefinition(AsyncGroupDefinition.DEFAULT, value, false, 0));
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
         * The millisecond timer's resolution (Kamailio's {@code ms_timer}): {@link #msRoute} and
         * {@link #msSleep} need it above 0 (default 0: off; second routes then tick every 100 ms).
         */
        public Builder msTimer(int millis) {
            if (millis < 0) {
                throw new IllegalArgumentException("msTimer must not be negative, got " + millis);
            }
            this.msTimer = millis;
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

        /** Registers the handler of {@link Async#tkvEmit} events. */
        public Builder tkvHandler(AsyncTkvHandler handler) {
            this.tkvHandler = Objects.requireNonNull(handler, "handler");
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
