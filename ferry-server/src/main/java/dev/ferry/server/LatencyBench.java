package dev.ferry.server;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ferry bench latency}: publish-to-delivery latency while a publisher keeps publishing. For
 * each rate, one connection publishes at that fixed rate (a PUB or MPUB every millisecond; each body
 * starts with the time the message was due and the time it was written) and one subscribed
 * connection finishes every message and records how long it took to arrive, counted twice: from the
 * publisher's write (what the broker adds) and from when the message was due (what a producer on a
 * schedule sees: a publisher held up waiting for an OK does not hide the hold-up, no coordinated
 * omission). Then p50, p99, p999 and the maximum of each are printed. Both ends are in this process,
 * so the times come from one monotonic clock.
 *
 * <p>The first second of each rate is a warm-up whose samples are not counted. The publisher
 * waits for each OK, as a client does; when it falls behind it sends what is due in one batch and
 * the achieved rate is printed, so a rate the broker could not keep up with shows as such. Neither
 * end allocates per message (buffers are reused), so the tool's own collector stays out of the
 * figures.
 *
 * <p>Threading: {@link #run} blocks; it runs the publisher on its own thread and the subscriber on
 * another.
 */
final class LatencyBench {
    private static final long TICK_NANOS = 1_000_000;
    private static final long WARM_UP_NANOS = 1_000_000_000;
    private static final byte[] HEARTBEAT = "_heartbeat_".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "OK".getBytes(StandardCharsets.US_ASCII);
    /** A body starts with the due time and the write time, in {@link System#nanoTime()}. */
    static final int STAMP_BYTES = 2 * Long.BYTES;
    /** How long the last messages may take to arrive after the publisher stopped. */
    private static final long DRAIN_NANOS = 2_000_000_000L;

    private final HostPort target;
    private final String topicPrefix;
    private final int size;
    private final int rdy;
    private final PrintWriter out;

    LatencyBench(HostPort target, String topicPrefix, int size, int rdy, PrintWriter out) {
        if (size < STAMP_BYTES) {
            throw new IllegalArgumentException("latency needs messages of at least " + STAMP_BYTES
                    + " bytes (the due time and the send time), got --size " + size);
        }
        this.target = target;
        this.topicPrefix = topicPrefix;
        this.size = size;
        this.rdy = rdy;
        this.out = out;
    }

    /** What one rate's run measured. */
    record Result(
            int rate,
            long sent,
            double achievedRate,
            long received,
            long redelivered,
            long p50,
            long p99,
            long p999,
            long max,
            Percentiles fromDue) {}

    /** The percentiles of one set of samples, in nanoseconds. */
    record Percentiles(long p50, long p99, long p999, long max) {
        static Percentiles of(long[] samples, int n) {
            long[] sorted = Arrays.copyOf(samples, n);
            Arrays.sort(sorted);
            return new Percentiles(
                    percentile(sorted, 0.50),
                    percentile(sorted, 0.99),
                    percentile(sorted, 0.999),
                    n == 0 ? 0 : sorted[n - 1]);
        }
    }

    /** Runs each rate for {@code nanos} (warm-up included) on a fresh topic; prints and returns the results. */
    Result run(int rate, long nanos) throws IOException, InterruptedException {
        String topic = topicPrefix + "_" + rate;
        int room = (int) Math.min(Integer.MAX_VALUE - 8, (long) rate * (nanos / 1_000_000_000L + 3));
        long[] samples = new long[room];
        long[] fromDue = new long[room];
        AtomicLong count = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        AtomicLong redelivered = new AtomicLong();
        AtomicLong received = new AtomicLong();
        AtomicBoolean stopping = new AtomicBoolean();
        long start = System.nanoTime();
        long countFrom = start + WARM_UP_NANOS;
        long stop = start + nanos;
        IOException[] failure = new IOException[1];
        try (Socket sub = new Socket(target.host(), target.port());
                Socket pub = new Socket(target.host(), target.port())) {
            sub.setTcpNoDelay(true);
            pub.setTcpNoDelay(true);
            Thread reader = new Thread(
                    () -> {
                        try {
                            subscribe(sub, topic, countFrom, samples, fromDue, count, received, redelivered);
                        } catch (IOException e) {
                            if (!stopping.get()) {
                                failure[0] = e;
                            }
                        }
                    },
                    "bench-latency-reader");
            reader.start();
            long published = publish(pub, topic, rate, start, stop);
            sent.set(published);
            // the last messages may still be on their way: wait for them, within the drain time
            long giveUp = System.nanoTime() + DRAIN_NANOS;
            while (reader.isAlive() && received.get() < published && System.nanoTime() < giveUp) {
                reader.join(10);
            }
            stopping.set(true);
            sub.close(); // ends the subscriber's blocking read
            reader.join();
            if (failure[0] != null) {
                throw failure[0];
            }
            int n = (int) Math.min(count.get(), samples.length);
            Percentiles asSent = Percentiles.of(samples, n);
            double seconds = (stop - start) / 1e9;
            Result r = new Result(
                    rate,
                    published,
                    published / seconds,
                    n,
                    redelivered.get(),
                    asSent.p50(),
                    asSent.p99(),
                    asSent.p999(),
                    asSent.max(),
                    Percentiles.of(fromDue, n));
            out.printf(
                    "latency at %,d msg/s (achieved %,.0f, %,d counted after a 1 s warm-up, %,d redelivered): p50 %.3f ms,"
                            + " p99 %.3f ms, p999 %.3f ms, max %.3f ms%n",
                    rate,
                    r.achievedRate(),
                    n,
                    r.redelivered(),
                    r.p50() / 1e6,
                    r.p99() / 1e6,
                    r.p999() / 1e6,
                    r.max() / 1e6);
            out.printf(
                    "  from when each was due (the publisher's waits included): p50 %.3f ms, p99 %.3f ms, p999 %.3f ms,"
                            + " max %.3f ms%n",
                    r.fromDue().p50() / 1e6,
                    r.fromDue().p99() / 1e6,
                    r.fromDue().p999() / 1e6,
                    r.fromDue().max() / 1e6);
            out.flush();
            return r;
        }
    }

    private static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }

    /** Publishes at {@code rate} from {@code start} to {@code stop}; returns how many were sent. */
    private long publish(Socket socket, String topic, int rate, long start, long stop) throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out.write("  V2".getBytes(StandardCharsets.US_ASCII));
        byte[] pubLine = ("PUB " + topic + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] mpubLine = ("MPUB " + topic + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) 'a');
        ByteBuffer stamp = ByteBuffer.wrap(body, 0, STAMP_BYTES);
        byte[] answer = new byte[64];
        long sent = 0;
        long nextTick = start;
        while (true) {
            long now = System.nanoTime();
            if (now >= stop) {
                break;
            }
            if (now < nextTick) {
                LockSupport.parkNanos(nextTick - now);
                continue;
            }
            // every message due by now, in one command
            long due = (long) ((now - start) / 1e9 * rate) + 1;
            int n = (int) Math.min(due - sent, 10_000);
            nextTick += TICK_NANOS;
            if (n <= 0) {
                continue;
            }
            long writtenAt = System.nanoTime();
            if (n == 1) {
                out.write(pubLine);
                out.writeInt(size);
                writeBody(out, stamp, body, start, sent, rate, writtenAt);
            } else {
                out.write(mpubLine);
                out.writeInt(4 + n * (4 + size));
                out.writeInt(n);
                for (int i = 0; i < n; i++) {
                    out.writeInt(size);
                    writeBody(out, stamp, body, start, sent + i, rate, writtenAt);
                }
            }
            out.flush();
            if (!answeredOk(in, answer)) {
                throw new IOException("publishing answered " + new String(answer, StandardCharsets.UTF_8).trim());
            }
            sent += n;
        }
        return sent;
    }

    /** Writes the body of the {@code index}th message: its due time, the write time, then the filler. */
    private static void writeBody(
            DataOutputStream out, ByteBuffer stamp, byte[] body, long start, long index, int rate, long writtenAt)
            throws IOException {
        stamp.putLong(0, start + index * 1_000_000_000L / rate);
        stamp.putLong(Long.BYTES, writtenAt);
        out.write(body); // copied into the stream's buffer (or written) before this returns
    }

    private void subscribe(
            Socket socket,
            String topic,
            long countFrom,
            long[] samples,
            long[] fromDue,
            AtomicLong count,
            AtomicLong received,
            AtomicLong redelivered)
            throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        out.write(("  V2SUB " + topic + " ch\nRDY " + rdy + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] fin = "FIN 0123456789abcdef\n".getBytes(StandardCharsets.US_ASCII);
        byte[] nop = "NOP\n".getBytes(StandardCharsets.US_ASCII);
        byte[] data = new byte[256];
        ByteBuffer view = ByteBuffer.wrap(data);
        // blocking reads, no timeout (one could strike mid-frame): run() closes the socket when done
        while (true) {
            int length = in.readInt() - 4;
            int type = in.readInt();
            if (length > data.length) {
                data = new byte[Math.max(length, 2 * data.length)];
                view = ByteBuffer.wrap(data);
            }
            in.readFully(data, 0, length);
            long arrived = System.nanoTime();
            if (type == 2) {
                // timestamp (8), attempts (2), id (16), then the body: the due time, the send time
                long dueAt = view.getLong(26);
                long sentAt = view.getLong(26 + Long.BYTES);
                received.incrementAndGet();
                if (view.getShort(8) > 1) {
                    redelivered.incrementAndGet(); // not a new message: the broker sent it again
                }
                if (dueAt >= countFrom) {
                    long i = count.getAndIncrement();
                    if (i < samples.length) {
                        samples[(int) i] = arrived - sentAt;
                        fromDue[(int) i] = arrived - dueAt;
                    }
                }
                System.arraycopy(data, 10, fin, 4, 16);
                out.write(fin);
                if (in.available() == 0) {
                    out.flush();
                }
            } else if (type == 1) {
                throw new IOException(
                        "the subscriber got an error: " + new String(data, 0, length, StandardCharsets.UTF_8));
            } else if (isHeartbeat(data, length)) {
                out.write(nop);
                out.flush();
            }
        }
    }

    private static boolean isHeartbeat(byte[] data, int length) {
        return Arrays.equals(data, 0, length, HEARTBEAT, 0, HEARTBEAT.length);
    }

    /**
     * Reads the answer to a publish, past heartbeats, into {@code answer} (cut to its size): whether
     * it is OK.
     */
    private static boolean answeredOk(DataInputStream in, byte[] answer) throws IOException {
        while (true) {
            int length = in.readInt() - 4;
            int type = in.readInt();
            Arrays.fill(answer, (byte) ' ');
            int kept = Math.min(length, answer.length);
            in.readFully(answer, 0, kept);
            in.skipNBytes(length - kept);
            if (type == 0 && isHeartbeat(answer, kept)) {
                continue; // not the answer: a publisher that waits long enough gets these too
            }
            return type == 0 && Arrays.equals(answer, 0, kept, OK, 0, OK.length);
        }
    }
}
