package dev.ferry.internal.engine;

import dev.ferry.spi.Engine;
import dev.ferry.spi.EngineTimings;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's {@link EngineTimings} listeners ({@link Engine#observe}), told as one. With no
 * listener a report costs a read of an empty list; the engine still reads the clock around each
 * write and sync round, which is cheap next to the write itself.
 *
 * <p>Thread-safe: listeners come and go from any thread; reports come from the publishing threads
 * and the sync thread. A listener that throws is logged and kept.
 */
final class TimingListeners implements EngineTimings {
    private static final Logger log = LoggerFactory.getLogger(TimingListeners.class);

    private final List<EngineTimings> listeners = new CopyOnWriteArrayList<>();

    Engine.Registration add(EngineTimings listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public void written(long nanos) {
        for (EngineTimings l : listeners) {
            try {
                l.written(nanos);
            } catch (RuntimeException e) {
                log.warn("engine timing listener failed: {}", e.toString());
            }
        }
    }

    @Override
    public void synced(long nanos) {
        for (EngineTimings l : listeners) {
            try {
                l.synced(nanos);
            } catch (RuntimeException e) {
                log.warn("engine timing listener failed: {}", e.toString());
            }
        }
    }
}
