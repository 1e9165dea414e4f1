package dev.ferry.redis.internal;

import dev.ferry.NotFoundException;
import dev.ferry.spi.BusmqQueues;
import dev.ferry.support.Timers;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;

/**
 * One handle on a queue in busmq's layout, as one node busmq {@code Queue} object: while attached it
 * re-sends the expiry of the queue's four keys every ttl/3 (busmq's touch), so the queue lives until
 * ttl seconds after the last client stopped touching it; Redis holds no attachment count.
 *
 * <p>Thread-safe. The keep-alive runs on Ferry's timer thread.
 */
final class RedisBusmqQueue implements BusmqQueues.Queue {
    private final String name;
    private final BusmqKeys keys;
    private final BusmqPlacement placement;
    private final java.util.Set<AutoCloseable> running;
    private final AutoCloseable stopKeepAlive = this::detach;
    private final Object lock = new Object();
    private volatile long ttlSeconds = 30;
    private ScheduledFuture<?> keepAlive;

    RedisBusmqQueue(String name, BusmqKeys keys, BusmqPlacement placement, java.util.Set<AutoCloseable> running) {
        this.name = name;
        this.keys = keys;
        this.placement = placement;
        this.running = running;
    }

    private BusmqInstance instance() {
        return placement.of(keys.metadata());
    }

    @Override
    public boolean attach(Duration ttl, long maxsize) {
        long seconds = ttl.toSeconds();
        if (seconds < 1) {
            throw new IllegalArgumentException(
                    "queue '" + name + "': busmq's ttl is in whole seconds, at least 1; got " + ttl.toMillis() + " ms");
        }
        List<Object> answer = instance()
                .call(r -> BusmqScript.ATTACH.run(r, keys.all(), String.valueOf(seconds), String.valueOf(maxsize)));
        boolean existed = ((Long) answer.get(0)) == 1L;
        long stored = (Long) answer.get(1);
        synchronized (lock) {
            ttlSeconds = stored;
            if (keepAlive != null) {
                keepAlive.cancel(false);
            }
            long period = Math.max(1, stored * 1000 / 3);
            // on a virtual thread: a touch waits for Redis, which the shared timer thread must not
            keepAlive = Timers.every(
                    Duration.ofMillis(period), r -> Thread.ofVirtual().start(r), this::touch);
            running.add(stopKeepAlive);
        }
        return existed;
    }

    private void touch() {
        long ttl = ttlSeconds;
        instance().call(r -> {
            for (String key : keys.all()) {
                r.expire(key, ttl);
            }
            return null;
        });
    }

    @Override
    public void detach() {
        synchronized (lock) {
            if (keepAlive != null) {
                keepAlive.cancel(false);
                keepAlive = null;
            }
            running.remove(stopKeepAlive);
        }
    }

    @Override
    public long push(List<String> messages) {
        String[] args = new String[messages.size() + 2];
        args[0] = String.valueOf(ttlSeconds);
        args[1] = keys.available();
        for (int i = 0; i < messages.size(); i++) {
            args[i + 2] = messages.get(i);
        }
        Long id = instance().call(r -> BusmqScript.PUSH.run(r, keys.all(), args));
        return id == null ? 0 : id;
    }

    @Override
    public BusmqQueues.Consumption consume(
            boolean remove, long max, boolean reliable, long lastAcked, BusmqQueues.Sink sink) {
        BusmqConsumer c =
                BusmqConsumer.start(instance(), keys, () -> ttlSeconds, remove, max, reliable, lastAcked, sink);
        AutoCloseable stop = c::stop;
        running.add(stop);
        return new BusmqQueues.Consumption() {
            @Override
            public void stop() {
                running.remove(stop);
                c.stop();
            }

            @Override
            public boolean stopped() {
                return c.stopped();
            }
        };
    }

    @Override
    public void ack(long id) {
        instance()
                .call(r -> BusmqScript.ACK.run(
                        r,
                        new String[] {keys.toack(), keys.messages()},
                        String.valueOf(id),
                        String.valueOf(ttlSeconds),
                        "0"));
    }

    @Override
    public void destroy() {
        detach();
        instance().call(r -> r.del(keys.all()));
    }

    @Override
    public void flush() {
        instance().call(r -> r.del(keys.messages()));
    }

    @Override
    public boolean exists() {
        return instance().call(r -> r.exists(keys.metadata())) > 0;
    }

    @Override
    public long count() {
        return instance().call(r -> r.llen(keys.messages())) / 2;
    }

    @Override
    public Optional<Duration> ttl() {
        String ttl = instance().call(r -> r.hget(keys.metadata(), "ttl"));
        return Optional.ofNullable(ttl).map(t -> Duration.ofSeconds(Long.parseLong(t)));
    }

    @Override
    public Optional<String> metadata(String key) {
        return Optional.ofNullable(instance().call(r -> r.hget(keys.metadata(), key)));
    }

    @Override
    public void metadata(String key, String value) {
        BusmqInstance at = instance();
        if (at.call(r -> r.exists(keys.metadata())) == 0) {
            throw new NotFoundException("queue '" + name + "' does not exist (attach to it first)");
        }
        at.call(r -> value == null ? r.hdel(keys.metadata(), key) : r.hset(keys.metadata(), key, value));
    }
}
