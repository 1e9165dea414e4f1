package dev.ferry.nsq.federation;

import dev.ferry.Bus;
import dev.ferry.busmq.DuplexContract;
import dev.ferry.nsq.testing.FederatedSite;
import dev.ferry.testing.MutableClock;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The Duplex contract through a federated link (ws:// through a proxy) to a Ferry broker. */
class FederatedDuplexTest extends DuplexContract {
    @TempDir
    Path dir;

    private FederatedSite site;

    @Override
    protected Bus open(MutableClock clock) {
        site = new FederatedSite(dir, clock, FederatedBusQueueTest.SETTINGS);
        return site.connect(FederatedBusQueueTest.KEY, clock);
    }

    @Override
    protected void shutdown() {
        site.close();
    }
}
