package dev.ferry.nsq.internal.federation;

import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a broker records what it refused a federating peer: each refusal is logged at WARN and the
 * latest {@value #KEPT} are kept for the operator (and the tests) to read. Thread-safe.
 */
public final class FederationAudit {
    /** How many refusals are kept. */
    public static final int KEPT = 100;

    private static final Logger log = LoggerFactory.getLogger(FederationAudit.class);

    private final ArrayDeque<String> latest = new ArrayDeque<>();

    /** Logs and keeps {@code line}, which names the peer, the secret and why. */
    public void refused(String line) {
        log.warn("federation refused: {}", line);
        synchronized (latest) {
            if (latest.size() == KEPT) {
                latest.removeFirst();
            }
            latest.addLast(line);
        }
    }

    /** The latest refusals, oldest first. */
    public List<String> latest() {
        synchronized (latest) {
            return List.copyOf(latest);
        }
    }
}
