package dev.ferry.mqueue;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Memory queue persistence on SQLite, the embedded default. */
class SqliteMemoryQueuePersistenceTest extends MemoryQueuePersistenceContract {
    @TempDir
    Path dir;

    @Override
    String jdbcUrl() {
        return "jdbc:sqlite:" + dir.resolve("mqueue.db");
    }
}
