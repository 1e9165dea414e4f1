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
 * them all (counted from its own open sockets: those whose peer is one of the suite's connections,
 * so that the broker's other files and connections coming and going do not blur the count), keep
 * answering while they are open, and
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
            java.util.Set<Integer> clientPorts = new java.util.HashSet<>();
            ByteBuffer magic = ByteBuffer.wrap("  V2".getBytes(StandardCharsets.US_ASCII));
            // 500 at a time, each batch accepted before the next (a burst of 10,000 would only measure
            // the kernel's accept queue); the broker's descriptors show how many it holds
            long held = 0;
            try {
                while (open.size() < CONNECTIONS) {
                    for (int i = 0; i < BATCH; i++) {
                        SocketChannel s = SocketChannel.open(new InetSocketAddress("127.0.0.1", b.tcpPort()));
                        open.add(s);
                        clientPorts.add(((InetSocketAddress) s.getLocalAddress()).getPort());
                        s.write(magic.duplicate());
                    }
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    held = held(b, clientPorts);
                    while (held < open.size() && System.nanoTime() < deadline) {
                        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
                        held = held(b, clientPorts);
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

    /**
     * How many of the suite's connections the broker holds: its open sockets (from {@code
     * /proc/PID/fd}) that {@code /proc/net/tcp} shows on its TCP port with one of {@code clientPorts}
     * at the other end. A connection still waiting in the kernel's accept queue has no descriptor in
     * the broker yet and does not count.
     */
    private static long held(Broker b, java.util.Set<Integer> clientPorts) throws IOException {
        java.util.Set<String> sockets = new java.util.HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(b.pid()), "fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        sockets.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            });
        }
        long held = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9
                        && port(f[1]) == b.tcpPort()
                        && clientPorts.contains(port(f[2]))
                        && sockets.contains(f[9])) {
                    held++;
                }
            }
        }
        return held;
    }

    /** The port of a {@code /proc/net/tcp} address, {@code 0100007F:1F40}. */
    private static int port(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
    }
}
