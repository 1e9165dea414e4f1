package dev.ferry.presence;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The presence consumer on SQLite. */
class SqlitePresenceConsumerTest extends PresenceConsumerContract {
    @TempDir
    Path dir;

    @Override
    String jdbcUrl() {
        return "jdbc:sqlite:" + dir.resolve("kamailio.db");
    }
}
