package dev.ferry.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * What idle connections cost a broker: opens {@code count} connections that each subscribe and
 * send {@code RDY 1} on an empty topic, then compares the broker's resident memory before and
 * after (read from {@code /proc/PID/status}, so the broker's process id must be given).
 */
final class IdleConnectionsBench {
    private final String host;
    private final int port;
    private final String topic;
    private final PrintWriter out;

    IdleConnectionsBench(String host, int port, String topic, PrintWriter out) {
        this.host = host;
        this.port = port;
        this.topic = topic;
        this.out = out;
    }

    /** Runs the measurement; the connections are closed when it returns. */
    void run(int count, long pid) throws IOException {
        OptionalLong before = residentBytes(pid);
        List<SocketChannel> open = new ArrayList<>(count);
        try {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port));
                open.add(channel);
                ByteBuffer hello = StandardCharsets.US_ASCII.encode(
                        "  V2SUB " + topic + " idle" + (i % 100) + "#ephemeral\nRDY 1\n");
                while (hello.hasRemaining()) {
                    channel.write(hello);
                }
                if ((i + 1) % 1000 == 0) {
                    out.printf("idle: %,d connections open%n", i + 1);
                    out.flush();
                }
            }
            // every SUB answered: the broker holds all of them
            ByteBuffer ok = ByteBuffer.allocate(10);
            for (SocketChannel channel : open) {
                ok.clear();
                while (ok.hasRemaining()) {
                    if (channel.read(ok) < 0) {
                        throw new IOException("the broker closed a connection before answering SUB");
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            OptionalLong after = residentBytes(pid);
            out.printf("idle: %,d connections subscribed in %.1f s%n", count, seconds);
            if (before.isPresent() && after.isPresent()) {
                long delta = after.getAsLong() - before.getAsLong();
                out.printf(
                        "idle: broker resident memory %,d KiB -> %,d KiB: %,d KiB more, %,d bytes per connection%n",
                        before.getAsLong() >> 10, after.getAsLong() >> 10, delta >> 10, delta / count);
            } else {
                out.println("idle: give --pid of the broker to see its memory");
            }
            out.flush();
        } finally {
            for (SocketChannel channel : open) {
                channel.close();
            }
        }
    }

    private static OptionalLong residentBytes(long pid) throws IOException {
        if (pid <= 0) {
            return OptionalLong.empty();
        }
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
            }
        }
        return OptionalLong.empty();
    }
}
