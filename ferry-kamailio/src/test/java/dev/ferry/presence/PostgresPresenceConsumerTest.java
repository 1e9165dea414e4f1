package dev.ferry.presence;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.testing.Postgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The presence consumer on a real PostgreSQL: the tests' private server ({@link Postgres}). */
@ExtendWith(Postgres.class)
class PostgresPresenceConsumerTest extends PresenceConsumerContract {
    @BeforeAll
    static void needPostgres() {
        assumeTrue(Postgres.url().isPresent(), Postgres::absentReason);
    }

    @Override
    String jdbcUrl() {
        return Postgres.url().orElseThrow();
    }
}
