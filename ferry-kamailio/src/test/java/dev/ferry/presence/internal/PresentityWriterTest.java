package dev.ferry.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.kamailio.internal.JdbcDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows that queue up while a transaction runs share the next one, at most maxBatch of them. */
class PresentityWriterTest {
    @TempDir
    Path dir;

    private static PresentityRow row(int i) {
        return new PresentityRow(
                "presence",
                "example.com",
                "user" + i,
                "c" + i,
                "sip:x",
                "<x/>".getBytes(StandardCharsets.UTF_8),
                1,
                0,
                3);
    }

    /**
     * A database whose first connection waits for {@code gate}: the writer holds its first batch
     * there while the test queues more rows behind it.
     */
    private JdbcDatabase gated(CountDownLatch gate, CountDownLatch waiting) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("kamailio.db");
        try (var c = DriverManager.getConnection(url)) {
            new PresentityTable("presentity").createIfMissing(c);
        }
        return new JdbcDatabase(
                () -> {
                    waiting.countDown();
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return DriverManager.getConnection(url);
                },
                "test database");
    }

    @Test
    void shouldWriteRowsThatQueuedUpInOneTransaction() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch waiting = new CountDownLatch(1);
        try (PresentityWriter writer =
                new PresentityWriter(gated(gate, waiting), new PresentityTable("presentity"), 100)) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            done.add(writer.submit(row(0)));
            assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i < 50; i++) {
                done.add(writer.submit(row(i)));
            }
            gate.countDown();
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(writer.written()).isEqualTo(50);
            assertThat(writer.transactions())
                    .as("the first batch, then everything that queued behind it")
                    .isEqualTo(2);
        }
    }

    @Test
    void shouldPutAtMostMaxBatchRowsInOneTransaction() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch waiting = new CountDownLatch(1);
        try (PresentityWriter writer =
                new PresentityWriter(gated(gate, waiting), new PresentityTable("presentity"), 4)) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            done.add(writer.submit(row(0)));
            assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i < 9; i++) {
                done.add(writer.submit(row(i)));
            }
            gate.countDown();
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(writer.written()).isEqualTo(9);
            assertThat(writer.transactions()).as("1, then 4 and 4").isEqualTo(3);
        }
    }
}
