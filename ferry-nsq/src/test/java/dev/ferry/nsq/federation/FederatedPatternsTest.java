package dev.ferry.nsq.federation;

import dev.ferry.Bus;
import dev.ferry.nsq.testing.FederatedSite;
import dev.ferry.testing.BusPatternsContract;
import dev.ferry.testing.MutableClock;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The patterns (ack modes, dead letters, event routing, query and respond) through a federated link
 * (ws:// through a proxy) to a Ferry broker whose engine shares the test's clock.
 */
class FederatedPatternsTest extends BusPatternsContract {
    @TempDir
    Path dir;

    private FederatedSite site;

    @Override
    protected Bus openBus(MutableClock clock) {
        site = new FederatedSite(dir, clock, FederatedBusQueueTest.SETTINGS);
        return site.connect(FederatedBusQueueTest.KEY, clock);
    }

    @AfterEach
    void stopTheSite() {
        bus.close(); // before its broker (the contract closes it again, which does nothing)
        site.close();
    }
}
