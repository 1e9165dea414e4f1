package dev.ferry.server;

import java.io.PrintWriter;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ferry bench mixed}: writers and readers on one topic at once, as nsq's bench_writer and
 * bench_reader started side by side, in one command. Prints both rates every second and both totals
 * at the end, so the publish rate while a reader drains and the consume rate while a writer writes
 * come from the same run.
 *
 * <p>Threading: one thread per connection, started by {@link #run}, which waits for them all.
 */
final class MixedBench {
    /** What one connection does with its socket until the deadline, counting its messages. */
    @FunctionalInterface
    interface Job {
        void run(Socket socket, long deadline, AtomicLong messages) throws Exception;
    }

    private final HostPort target;
    private final int size;
    private final PrintWriter out;

    MixedBench(HostPort target, int size, PrintWriter out) {
        this.target = target;
        this.size = size;
        this.out = out;
    }

    /**
     * Runs {@code writers} writer and {@code readers} reader connections for {@code nanos}.
     *
     * @return the errors the connections ended with (empty when all ran to the end)
     */
    List<Throwable> run(int writers, Job writer, int readers, Job reader, long nanos) throws InterruptedException {
        AtomicLong written = new AtomicLong();
        AtomicLong read = new AtomicLong();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        long deadline = System.nanoTime() + nanos;
        List<Thread> threads = new ArrayList<>();
        // the readers first, so that the writer's first batches already have a channel to go to
        for (int i = 0; i < readers; i++) {
            threads.add(start("bench-mixed-reader-" + i, reader, deadline, read, errors));
        }
        for (int i = 0; i < writers; i++) {
            threads.add(start("bench-mixed-writer-" + i, writer, deadline, written, errors));
        }
        long start = System.nanoTime();
        long lastWritten = 0;
        long lastRead = 0;
        while (threads.stream().anyMatch(Thread::isAlive)) {
            threads.get(0).join(1000);
            long w = written.get();
            long r = read.get();
            out.printf("mixed: writer %,d msg/s, reader %,d msg/s%n", w - lastWritten, r - lastRead);
            out.flush();
            lastWritten = w;
            lastRead = r;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        line("writer", written.get(), seconds);
        line("reader", read.get(), seconds);
        return errors;
    }

    private void line(String role, long total, double seconds) {
        out.printf(
                "mixed %s: %,d messages of %d B in %.1f s: %,.0f msg/s, %.1f MiB/s%n",
                role, total, size, seconds, total / seconds, total * (double) size / seconds / (1 << 20));
        out.flush();
    }

    private Thread start(String name, Job job, long deadline, AtomicLong messages, List<Throwable> errors) {
        Thread t = new Thread(
                () -> {
                    try (Socket socket = new Socket(target.host(), target.port())) {
                        socket.setTcpNoDelay(true);
                        job.run(socket, deadline, messages);
                    } catch (Exception e) {
                        errors.add(e);
                    }
                },
                name);
        t.start();
        return t;
    }
}
