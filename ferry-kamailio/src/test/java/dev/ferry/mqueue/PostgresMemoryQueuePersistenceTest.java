package dev.ferry.mqueue;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.testing.Postgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** Memory queue persistence on a real PostgreSQL: the tests' private server ({@link Postgres}). */
@ExtendWith(Postgres.class)
class PostgresMemoryQueuePersistenceTest extends MemoryQueuePersistenceContract {
    @BeforeAll
    static void needPostgres() {
        assumeTrue(Postgres.url().isPresent(), Postgres::absentReason);
    }

    @Override
    String jdbcUrl() {
        return Postgres.url().orElseThrow();
    }
}
