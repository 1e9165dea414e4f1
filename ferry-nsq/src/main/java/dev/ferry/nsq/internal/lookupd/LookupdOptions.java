package dev.ferry.nsq.internal.lookupd;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a lookupd, named and defaulted as nsqlookupd's options.
 *
 * @param inactiveProducerTimeout how long after its last PING a node is still listed ({@code
 *     --inactive-producer-timeout}, 300 s)
 * @param tombstoneLifetime how long a tombstone hides a node's topic ({@code --tombstone-lifetime}, 45 s)
 * @param broadcastAddress the address the IDENTIFY answer gives ({@code --broadcast-address}, the host name)
 * @param hostname the host name the IDENTIFY answer gives
 * @param version the version {@code /info} and IDENTIFY report
 * @param maxIdentifySize the largest IDENTIFY body accepted (1 MiB; nsqlookupd has no limit)
 * @param clock the clock of PINGs, inactivity and tombstones
 */
public record LookupdOptions(
        Duration inactiveProducerTimeout,
        Duration tombstoneLifetime,
        String broadcastAddress,
        String hostname,
        String version,
        int maxIdentifySize,
        Clock clock) {

    /** Checks that nothing is null. */
    public LookupdOptions {
        Objects.requireNonNull(inactiveProducerTimeout, "inactiveProducerTimeout");
        Objects.requireNonNull(tombstoneLifetime, "tombstoneLifetime");
        Objects.requireNonNull(broadcastAddress, "broadcastAddress");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(clock, "clock");
    }

    /** nsqlookupd 1.3's defaults, with {@code hostname} as broadcast address and host name. */
    public static LookupdOptions defaults(String hostname) {
        return new LookupdOptions(
                Duration.ofSeconds(300),
                Duration.ofSeconds(45),
                hostname,
                hostname,
                "1.3.0",
                1 << 20,
                Clock.systemUTC());
    }
}
