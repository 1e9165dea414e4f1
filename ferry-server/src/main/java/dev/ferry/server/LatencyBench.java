package dev.ferry.server;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ferry bench latency}: publish-to-delivery latency at a fixed rate. One connection publishes
 * {@code rate} messages a second (a PUB each, written without waiting for the previous answer, each
 * body stamped with the moment it was written), another consumes them on a channel created before
 * the first publish; the delay from stamp to delivery is recorded for every message and printed as
 * p50, p90, p99 and max. Both ends run in this process, so the stamps are on one clock.
 *
 * <p>Runs on the calling thread plus one reader and one answer-draining thread; blocks until done.
 */
final class LatencyBench {
    private final String host;
    private final int port;
    private final String topic;
    private final String channel;
    private final int size;
    private final PrintWriter out;

    LatencyBench(String host, int port, String topic, String channel, int size, PrintWriter out) {
        this.host = host;
        this.port = port;
        this.topic = topic;
        this.channel = channel;
        this.size = Math.max(size, 8);
        this.out = out;
    }

    /** Publishes {@code rate} msg/s for {@code runfor} and prints the latency percentiles. */
    void run(int rate, Duration runfor) throws IOException, InterruptedException {
        int expected = (int) Math.min(Integer.MAX_VALUE - 8, rate * Math.max(1, runfor.toSeconds()));
        long[] latencies = new long[expected];
        int[] count = {0};
        try (Socket reader = new Socket(host, port);
                Socket writer = new Socket(host, port)) {
            reader.setTcpNoDelay(true);
            writer.setTcpNoDelay(true);
            DataOutputStream rout = new DataOutputStream(new BufferedOutputStream(reader.getOutputStream()));
            DataInputStream rin = new DataInputStream(new BufferedInputStream(reader.getInputStream(), 1 << 16));
            rout.write(("  V2SUB " + topic + " " + channel + "\nRDY 2500\n").getBytes(StandardCharsets.US_ASCII));
            rout.flush();
            if (!frame(rin).equals("OK")) {
                throw new IOException("SUB was refused");
            }
            Thread consumer = Thread.ofPlatform().name("bench-latency-reader").start(() -> {
                try {
                    consume(reader, rin, rout, latencies, count, expected);
                } catch (IOException e) {
                    out.println("latency reader: " + e.getMessage());
                }
            });
            DataOutputStream wout = new DataOutputStream(new BufferedOutputStream(writer.getOutputStream(), 1 << 16));
            DataInputStream win = new DataInputStream(new BufferedInputStream(writer.getInputStream()));
            wout.write("  V2".getBytes(StandardCharsets.US_ASCII));
            Thread answers = Thread.ofPlatform().name("bench-latency-answers").start(() -> {
                try {
                    for (int i = 0; i < expected; i++) {
                        frame(win);
                    }
                } catch (IOException e) {
                    // the connection closed at the end
                }
            });
            byte[] line = ("PUB " + topic + "\n").getBytes(StandardCharsets.US_ASCII);
            byte[] body = new byte[size];
            long start = System.nanoTime();
            int sent = 0;
            while (sent < expected) {
                long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
                for (; sent < Math.min(due, expected); sent++) {
                    long stamp = System.nanoTime();
                    for (int b = 0; b < 8; b++) {
                        body[b] = (byte) (stamp >>> (56 - 8 * b));
                    }
                    wout.write(line);
                    wout.writeInt(size);
                    wout.write(body);
                }
                wout.flush();
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
            }
            consumer.join(TimeUnit.SECONDS.toMillis(30));
            answers.join(1000);
        }
        report(rate, Arrays.copyOf(latencies, Math.min(count[0], expected)), expected);
    }

    private static void consume(
            Socket socket, DataInputStream in, DataOutputStream out, long[] latencies, int[] count, int expected)
            throws IOException {
        socket.setSoTimeout(1000);
        byte[] fin = "FIN 0123456789abcdef\n".getBytes(StandardCharsets.US_ASCII);
        int idle = 0;
        while (count[0] < expected && idle < 30) {
            int length;
            try {
                length = in.readInt();
                idle = 0;
            } catch (SocketTimeoutException e) {
                idle++;
                continue;
            }
            int type = in.readInt();
            byte[] data = new byte[length - 4];
            in.readFully(data);
            if (type == 2) {
                long now = System.nanoTime();
                long stamp = 0;
                for (int b = 0; b < 8; b++) {
                    stamp = (stamp << 8) | (data[26 + b] & 0xff);
                }
                latencies[count[0]++] = now - stamp;
                System.arraycopy(data, 10, fin, 4, 16);
                out.write(fin);
                if (in.available() == 0) {
                    out.flush();
                }
            } else if (type == 0 && new String(data, StandardCharsets.UTF_8).equals("_heartbeat_")) {
                out.write("NOP\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        }
    }

    private void report(int rate, long[] latencies, int expected) {
        Arrays.sort(latencies);
        out.printf(
                "latency at %,d msg/s: %,d of %,d delivered; p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                rate,
                latencies.length,
                expected,
                percentile(latencies, 0.50),
                percentile(latencies, 0.90),
                percentile(latencies, 0.99),
                percentile(latencies, 1.0));
        out.flush();
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int at = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, at)] / 1e6;
    }

    private static String frame(DataInputStream in) throws IOException {
        int length = in.readInt();
        in.readInt();
        byte[] data = new byte[length - 4];
        in.readFully(data);
        return new String(data, StandardCharsets.UTF_8);
    }
}
