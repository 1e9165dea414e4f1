package dev.ferry.nsq.internal.client;

import dev.ferry.Bus;
import dev.ferry.busmq.DuplexContract;
import dev.ferry.testing.MutableClock;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The Duplex contract through the NSQ client against a Ferry broker on loopback. */
class DuplexOverNsqTest extends DuplexContract {
    @TempDir
    Path dir;

    private QueueBroker broker;

    @Override
    protected Bus open(MutableClock clock) {
        broker = new QueueBroker(dir, clock, true);
        return broker.connect();
    }

    @Override
    protected void shutdown() {
        broker.close();
    }
}
