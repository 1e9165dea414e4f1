package dev.ferry.bench.chaos;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * 10,000 client connections at once (each sends the V2 magic and stays): the broker must accept
 * them all (counted from its own open file descriptors), keep answering while they are open, and
 * its memory must stay within what it was told ({@code -Xmx}) plus a bounded amount per connection.
 * The suite's process needs as many file descriptors: {@code make chaos} raises the limit.
 */
final class ManyConnections {
    private static final int CONNECTIONS = 10_000;
    private static final int BATCH = 500;

    private ManyConnections() {}

    static Row run(Run run) throws Exception {
        String fault = String.format("%,d connections at once", CONNECTIONS);
        Path data = run.dir("connections").resolve("data");
        List<SocketChannel> open = new ArrayList<>();
        try (Broker b = run.broker(data)) {
            HostileInputs.checkAlive(b, "start", new ArrayList<>());
            long rssBefore = b.rssBytes();
            long fdsBefore = fds(b);
            ByteBuffer magic = ByteBuffer.wrap("  V2".getBytes(StandardCharsets.US_ASCII));
            // 500 at a time, each batch accepted before the next (a burst of 10,000 would only measure
            // the kernel's accept queue); the broker's descriptors show how many it holds
            long held = 0;
            try {
                while (open.size() < CONNECTIONS) {
                    for (int i = 0; i < BATCH; i++) {
                        SocketChannel s = SocketChannel.open(new InetSocketAddress("127.0.0.1", b.tcpPort()));
                        open.add(s);
                        s.write(magic.duplicate());
                    }
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    held = fds(b) - fdsBefore;
                    while (held < open.size() && System.nanoTime() < deadline) {
                        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
                        held = fds(b) - fdsBefore;
                    }
                    if (held < open.size()) {
                        break;
                    }
                }
            } catch (IOException e) {
                return Row.fail(
                        fault,
                        "the suite could open only " + open.size() + " connections: " + e.getMessage()
                                + " (raise the open-file limit: ulimit -n)");
            }
            List<String> failures = new ArrayList<>();
            long start = System.nanoTime();
            HostileInputs.checkAlive(b, "10,000 connections", failures);
            long answerMs = (System.nanoTime() - start) / 1_000_000;
            long rssDuring = b.rssBytes();
            for (SocketChannel s : open) {
                s.close();
            }
            open.clear();
            HostileInputs.checkAlive(b, "closing 10,000 connections", failures);
            if (held < CONNECTIONS) {
                failures.add("the broker held only " + held + " of them");
            }
            String result = String.format(
                    "opened 500 at a time, the broker held %,d; /ping and a PUB answered in %d ms meanwhile; RSS %,d MiB before, "
                            + "%,d MiB with them open (%,d bytes a connection)%s",
                    held,
                    answerMs,
                    rssBefore >> 20,
                    rssDuring >> 20,
                    (rssDuring - rssBefore) / CONNECTIONS,
                    failures.isEmpty() ? "" : "; " + String.join("; ", failures));
            b.stop();
            return Row.of(failures.isEmpty(), fault, result);
        } finally {
            for (SocketChannel s : open) {
                s.close();
            }
        }
    }

    private static long fds(Broker b) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(b.pid()), "fd"))) {
            return fds.count();
        }
    }
}
