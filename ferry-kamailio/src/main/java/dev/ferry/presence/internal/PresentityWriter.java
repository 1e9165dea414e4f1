package dev.ferry.presence.internal;

import dev.ferry.StorageException;
import dev.ferry.kamailio.internal.JdbcDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that writes presentity rows: rows are {@link #submit submitted} from any thread and
 * written in the order they came, each batch (the rows that queued up while the previous one was
 * written, at most {@code maxBatch}) in one transaction on one kept connection. A row's future
 * completes when its transaction has committed, or exceptionally with a {@link StorageException}
 * when it could not be written; the caller then requeues its event. When a batch fails on a working
 * connection, its rows are tried one transaction each, so that one row the database refuses does not
 * hold back the others; when the database cannot be reached, the whole batch fails at once. After a
 * failure the connection is replaced.
 *
 * <p>One platform thread, started by the constructor and stopped by {@link #close()}, which writes
 * what was submitted before it and fails what comes after.
 */
public final class PresentityWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PresentityWriter.class);
    private static final Pending STOP = new Pending(null, null);

    private record Pending(PresentityRow row, CompletableFuture<Void> done) {}

    private final JdbcDatabase database;
    private final PresentityTable table;
    private final int maxBatch;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final LongAdder written = new LongAdder();
    private final LongAdder transactions = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile boolean closed;
    private Connection connection;

    /**
     * Starts the writer.
     *
     * @param maxBatch the most rows in one transaction, at least 1
     */
    public PresentityWriter(JdbcDatabase database, PresentityTable table, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        this.database = database;
        this.table = table;
        this.maxBatch = maxBatch;
        this.thread = Thread.ofPlatform()
                .name("ferry-presence-writer-" + table.name())
                .daemon()
                .start(this::run);
    }

    /** Queues {@code row}; the future completes once it is committed, or fails. Never blocks. */
    public CompletableFuture<Void> submit(PresentityRow row) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new StorageException("the presentity writer is closed"));
        } else {
            queue.add(new Pending(row, done));
        }
        return done;
    }

    /** Rows committed so far. */
    public long written() {
        return written.sum();
    }

    /** Transactions committed so far. */
    public long transactions() {
        return transactions.sum();
    }

    /** Rows whose write failed (their events were requeued). */
    public long failed() {
        return failed.sum();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        try {
            while (true) {
                Pending first = queue.take();
                if (first == STOP) {
                    break;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                boolean stop = batch.remove(STOP);
                write(batch);
                batch.clear();
                if (stop) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeConnection();
            List<Pending> left = new ArrayList<>(batch);
            queue.drainTo(left);
            StorageException gone = new StorageException("the presentity writer stopped before writing this row");
            left.stream().filter(p -> p != STOP).forEach(p -> p.done().completeExceptionally(gone));
        }
    }

    private void write(List<Pending> batch) {
        List<PresentityRow> rows = batch.stream().map(Pending::row).toList();
        Connection c;
        try {
            c = connection();
        } catch (SQLException e) {
            fail(batch, e, "cannot connect to " + database.description());
            return;
        }
        try {
            table.write(c, rows);
            committed(batch);
            return;
        } catch (SQLException | RuntimeException e) {
            closeConnection();
            if (batch.size() == 1) {
                fail(batch, e, "cannot write to " + table.name() + " in " + database.description());
                return;
            }
        }
        // one by one, so that a row the database refuses does not hold back the others
        List<Pending> refused = new ArrayList<>();
        Exception firstError = null;
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            try {
                c = connection();
            } catch (SQLException e) {
                fail(batch.subList(i, batch.size()), e, "cannot connect to " + database.description());
                break;
            }
            try {
                table.write(c, List.of(p.row()));
                committed(List.of(p));
            } catch (SQLException | RuntimeException e) {
                closeConnection();
                refused.add(p);
                firstError = firstError == null ? e : firstError;
            }
        }
        if (!refused.isEmpty()) {
            fail(
                    refused,
                    firstError,
                    refused.size() + " of a batch of " + batch.size() + " rows could not be written to " + table.name()
                            + " in " + database.description() + " (the first: "
                            + refused.get(0).row() + ")");
        }
    }

    private void committed(List<Pending> batch) {
        transactions.increment();
        written.add(batch.size());
        batch.forEach(p -> p.done().complete(null));
    }

    /** Fails the rows' futures, so that their events are requeued; a driver's runtime error counts too. */
    private void fail(List<Pending> batch, Exception e, String what) {
        failed.add(batch.size());
        log.warn("presence: {}: {}; {} event(s) requeued", what, e.getMessage(), batch.size());
        StorageException error = new StorageException(what + ": " + e.getMessage(), e);
        batch.forEach(p -> p.done().completeExceptionally(error));
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = database.open();
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("presence: closing a failed connection: {}", e.getMessage());
            }
            connection = null;
        }
    }

    /**
     * Writes what was submitted before this call, then stops the thread (waiting for it up to {@code
     * timeout}); later submissions fail at once.
     */
    public void close(long timeout, TimeUnit unit) throws InterruptedException {
        closed = true;
        queue.add(STOP);
        thread.join(unit.toMillis(timeout));
        if (thread.isAlive()) {
            thread.interrupt();
        }
    }

    @Override
    public void close() {
        try {
            close(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
