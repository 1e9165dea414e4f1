package dev.ferry.nsq.internal.http;

import dev.ferry.nsq.internal.metrics.SharedMetrics;
import java.util.List;

/**
 * What the HTTP API serves for operators beside nsqd's endpoints: {@code GET /metrics} from {@code
 * metrics} (null: no such route), and the admin page's cluster view from the lookupds at {@code
 * lookupdHttpAddresses} ({@code host:port} of their HTTP API; empty: none).
 *
 * @param metrics the broker's metrics, shared by its HTTP and HTTPS listeners (the caller releases
 *     them), or null
 * @param lookupdHttpAddresses the lookupds the admin page asks for nodes
 */
public record AdminOptions(SharedMetrics metrics, List<String> lookupdHttpAddresses) {
    /** No metrics and no lookupds. */
    public static final AdminOptions NONE = new AdminOptions(null, List.of());

    /** Copies the addresses. */
    public AdminOptions {
        lookupdHttpAddresses = List.copyOf(lookupdHttpAddresses);
    }
}
