package dev.ferry.redis.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One private {@code redis-server} for all the tests of a class, started before the first and
 * stopped after the last: {@code @RegisterExtension static final SharedRedisServer REDIS = new
 * SharedRedisServer();}, then {@code REDIS.server()}. Tests keep apart by key prefix.
 */
public final class SharedRedisServer implements BeforeAllCallback, AfterAllCallback {
    private RedisProcesses processes;
    private RedisProcess server;

    @Override
    public void beforeAll(ExtensionContext context) {
        processes = new RedisProcesses();
        server = processes.server();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        processes.close();
    }

    /** The running server; only between the class's first and last test. */
    public RedisProcess server() {
        return server;
    }
}
