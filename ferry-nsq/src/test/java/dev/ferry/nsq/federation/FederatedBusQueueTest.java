package dev.ferry.nsq.federation;

import dev.ferry.Bus;
import dev.ferry.busmq.BusQueueContract;
import dev.ferry.nsq.FederationKey;
import dev.ferry.nsq.FederationSecret;
import dev.ferry.nsq.FederationSettings;
import dev.ferry.nsq.testing.FederatedSite;
import dev.ferry.testing.MutableClock;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** The BusQueue contract through a federated link (ws:// through a proxy) to a Ferry broker. */
class FederatedBusQueueTest extends BusQueueContract {
    static final String SECRET = "0123456789abcdef-site-b";
    static final FederationSettings SETTINGS = FederationSettings.of(
            List.of(new FederationSecret("site-b", SECRET, FederationSecret.Access.READ_WRITE, List.of("*"))));
    static final FederationKey KEY = new FederationKey("site-b", SECRET);

    @TempDir
    Path dir;

    private FederatedSite site;

    @Override
    protected Bus open(MutableClock clock) {
        site = new FederatedSite(dir, clock, SETTINGS);
        return site.connect(KEY, clock);
    }

    @Override
    protected void shutdown() {
        site.close();
    }
}
