package dev.ferry.busmq;

import dev.ferry.Bus;
import dev.ferry.testing.MutableClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The bus a busmq contract ({@link BusQueueContract}, {@link DuplexContract}) runs against: opened
 * before each test on a fresh {@link MutableClock}, closed after it together with what the test
 * registered through {@link #closeAfter}, in reverse order.
 */
public abstract class BusContract {
    protected MutableClock clock;
    protected Bus bus;
    private final List<AutoCloseable> closing = new ArrayList<>();

    /** Opens a bus (and whatever serves it) whose engine uses {@code clock}. */
    protected abstract Bus open(MutableClock clock);

    /** Closes what {@link #open} started besides the bus. */
    protected void shutdown() {}

    @BeforeEach
    void openBus() {
        clock = MutableClock.start();
        bus = open(clock);
    }

    @AfterEach
    void closeBus() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        bus.close();
        shutdown();
    }

    /** Registers {@code c} to be closed after the test, before the bus; returns it. */
    protected <T extends AutoCloseable> T closeAfter(T c) {
        closing.add(c);
        return c;
    }
}
