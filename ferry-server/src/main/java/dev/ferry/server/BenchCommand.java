package dev.ferry.server;

import dev.ferry.Bus;
import dev.ferry.SubscribeOptions;
import dev.ferry.Subscription;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.NsqBus;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry bench writer|reader}: the equivalents of nsq's bench_writer and bench_reader,
 * speaking the TCP protocol directly over plain sockets, one thread per connection. {@code
 * client-writer|client-reader} do the same through the Java client ({@code Bus.connect}): the writer
 * publishes the same batches from one thread per connection (the bus's publishing connections), the reader subscribes with max in flight {@code --rdy} and a handler that returns at once.
 * Prints a rate line every second and the totals (msg/s and MiB/s) at the end.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Load a broker over the NSQ protocol: 'writer' publishes MPUB batches, 'reader' consumes;"
                + " 'client-writer' and 'client-reader' do the same through the Java client (Bus.connect);"
                + " 'idle' holds --connections idle subscribers and reports the broker's memory (--pid);"
                + " 'mixed' runs writers and readers at once and prints both rates;"
                + " 'latency' publishes at each of --rates msg/s and prints publish-to-delivery p50/p99/p999.")
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(
            index = "0",
            description = "writer, reader, client-writer, client-reader, idle, mixed or latency")
    private String role;

    @Option(
            names = {"--nsqd-tcp-address", "-nsqd-tcp-address"},
            defaultValue = "127.0.0.1:4150",
            description = "<addr>:<port> of the broker (default: ${DEFAULT-VALUE}).")
    private String address;

    @Option(
            names = {"--topic", "-topic"},
            defaultValue = "sub_bench",
            description = "Topic (default: ${DEFAULT-VALUE}).")
    private String topic;

    @Option(
            names = {"--channel", "-channel"},
            defaultValue = "ch",
            description = "Channel of the reader (default: ${DEFAULT-VALUE}).")
    private String channel;

    @Option(
            names = {"--runfor", "-runfor"},
            defaultValue = "10s",
            converter = GoDuration.class,
            description = "How long to run (default: ${DEFAULT-VALUE}).")
    private Duration runfor;

    @Option(
            names = {"--size", "-size"},
            defaultValue = "200",
            description = "Message size in bytes (default: ${DEFAULT-VALUE}).")
    private int size;

    @Option(
            names = {"--batch-size", "-batch-size"},
            defaultValue = "200",
            description = "Messages per MPUB (default: ${DEFAULT-VALUE}).")
    private int batchSize;

    @Option(
            names = {"--connections", "-connections"},
            defaultValue = "2",
            description = "Connections, one thread each for writer and reader (default: ${DEFAULT-VALUE}).")
    private int connections;

    @Option(
            names = {"--rdy", "-rdy"},
            defaultValue = "2500",
            description = "RDY of each reader connection (default: ${DEFAULT-VALUE}).")
    private int rdy;

    @Option(
            names = {"--pid", "-pid"},
            defaultValue = "0",
            description = "Process id of the broker, whose memory 'idle' reports.")
    private long pid;

    @Option(
            names = "--federate-url",
            paramLabel = "URL",
            description =
                    "client-writer and client-reader: go through this federation address (ws://host:port/federate,"
                            + " wss://...) instead of --nsqd-tcp-address, with the key --federation-key names and the secret in"
                            + " FERRY_FEDERATION_SECRET.")
    private String federateUrl;

    @Option(names = "--federation-key", paramLabel = "NAME", description = "The federation key of --federate-url.")
    private String federationKey;

    @Option(
            names = {"--rates", "-rates", "--rate"},
            split = ",",
            defaultValue = "1000,10000,100000",
            paramLabel = "MSG/S",
            description = "latency: the publish rates to measure at, each for --runfor (default: ${DEFAULT-VALUE}).")
    private List<Integer> rates;

    @Override
    public Integer call() throws Exception {
        if (!List.of("writer", "reader", "client-writer", "client-reader", "idle", "mixed", "latency")
                .contains(role)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "the role is writer, reader, client-writer, client-reader, idle, mixed or latency, got " + role);
        }
        HostPort target;
        try {
            target = HostPort.parse("--nsqd-tcp-address", address);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (role.equals("idle")) {
            new IdleConnectionsBench(
                            target.host(),
                            target.port(),
                            topic,
                            spec.commandLine().getOut())
                    .run(connections, pid);
            return 0;
        }
        if (role.equals("mixed") || role.equals("latency")) {
            return runTogether(target);
        }
        AtomicLong messages = new AtomicLong();
        long deadline = System.nanoTime() + runfor.toNanos();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        if (role.startsWith("client-")) {
            try (Bus bus = NsqBus.connect(clientOptions(target))) {
                if (role.equals("client-writer")) {
                    startClientWriters(bus, deadline, messages, threads, errors);
                } else {
                    startClientReader(bus, deadline, messages, threads);
                }
                return report(messages, threads, errors);
            }
        }
        for (int i = 0; i < connections; i++) {
            Thread t = new Thread(
                    () -> {
                        try (Socket socket = new Socket(target.host(), target.port())) {
                            socket.setTcpNoDelay(true);
                            if (role.equals("writer")) {
                                write(socket, deadline, messages);
                            } else {
                                read(socket, deadline, messages);
                            }
                        } catch (IOException | RuntimeException e) {
                            errors.add(e);
                        }
                    },
                    "bench-" + role + "-" + i);
            threads.add(t);
            t.start();
        }
        return report(messages, threads, errors);
    }

    /** The roles that publish and consume at once: 'mixed' and 'latency'. */
    private int runTogether(HostPort target) throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        if (role.equals("mixed")) {
            List<Throwable> errors = new MixedBench(target, size, out)
                    .run(connections, this::write, connections, this::read, runfor.toNanos());
            for (Throwable e : errors) {
                spec.commandLine().getErr().println("mixed: " + e);
            }
            return errors.isEmpty() ? 0 : Ferry.EXIT_FAILURE;
        }
        for (int rate : rates) {
            if (rate <= 0) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--rates takes positive messages per second, got " + rate);
            }
        }
        LatencyBench bench;
        try {
            bench = new LatencyBench(target, topic, size, rdy, out);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        for (int rate : rates) {
            bench.run(rate, runfor.toNanos());
        }
        return 0;
    }

    /** The client roles' settings: the broker's TCP address, or the federation address and its key. */
    private ConnectOptions clientOptions(HostPort target) {
        if (federateUrl == null) {
            return ConnectOptions.nsqd(target.host() + ":" + target.port())
                    .publishing(p -> p.connections(connections))
                    .build();
        }
        String secret = System.getenv("FERRY_FEDERATION_SECRET");
        if (federationKey == null || secret == null || secret.isEmpty()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--federate-url needs --federation-key NAME and FERRY_FEDERATION_SECRET");
        }
        try {
            return ConnectOptions.nsqd(federateUrl)
                    .security(s -> s.federationKey(new dev.ferry.nsq.FederationKey(federationKey, secret)))
                    .publishing(p -> p.connections(connections))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--federate-url: " + e.getMessage());
        }
    }

    private int report(AtomicLong messages, List<Thread> threads, List<Throwable> errors) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        long last = 0;
        while (threads.stream().anyMatch(Thread::isAlive)) {
            threads.get(0).join(1000);
            long now = messages.get();
            out.printf("%s: %,d msg/s, %,d in all%n", role, now - last, now);
            out.flush();
            last = now;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long total = messages.get();
        out.printf(
                "%s: %,d messages of %d B in %.1f s: %,.0f msg/s, %.1f MiB/s%n",
                role, total, size, seconds, total / seconds, total * (double) size / seconds / (1 << 20));
        for (Throwable e : errors) {
            spec.commandLine().getErr().println(role + ": " + e);
        }
        return errors.isEmpty() ? 0 : Ferry.EXIT_FAILURE;
    }

    private void startClientWriters(
            Bus bus, long deadline, AtomicLong messages, List<Thread> threads, List<Throwable> errors) {
        byte[] message = new byte[size];
        java.util.Arrays.fill(message, (byte) 'a');
        List<byte[]> batch = java.util.Collections.nCopies(batchSize, message);
        for (int i = 0; i < connections; i++) {
            Thread t = new Thread(
                    () -> {
                        try {
                            while (System.nanoTime() < deadline) {
                                bus.publish(topic, batch);
                                messages.addAndGet(batchSize);
                            }
                        } catch (RuntimeException e) {
                            errors.add(e);
                        }
                    },
                    "bench-client-writer-" + i);
            threads.add(t);
            t.start();
        }
    }

    private void startClientReader(Bus bus, long deadline, AtomicLong messages, List<Thread> threads) {
        Subscription subscription = bus.subscribe(
                topic,
                channel,
                m -> {
                    messages.incrementAndGet();
                },
                SubscribeOptions.maxInFlight(rdy));
        // one thread that closes the subscription when the time is up (the report waits for it)
        Thread t = new Thread(
                () -> {
                    java.util.concurrent.locks.LockSupport.parkNanos(Math.max(0, deadline - System.nanoTime()));
                    subscription.close();
                },
                "bench-client-reader");
        threads.add(t);
        t.start();
    }

    private void write(Socket socket, long deadline, AtomicLong messages) throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        byte[] line = ("MPUB " + topic + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[size];
        java.util.Arrays.fill(message, (byte) 'a');
        out.write("  V2".getBytes(StandardCharsets.US_ASCII));
        while (System.nanoTime() < deadline) {
            out.write(line);
            out.writeInt(4 + batchSize * (4 + size));
            out.writeInt(batchSize);
            for (int i = 0; i < batchSize; i++) {
                out.writeInt(size);
                out.write(message);
            }
            out.flush();
            String answer = frame(in);
            if (!answer.equals("OK")) {
                throw new IOException("MPUB answered " + answer);
            }
            messages.addAndGet(batchSize);
        }
    }

    private void read(Socket socket, long deadline, AtomicLong messages) throws IOException {
        socket.setSoTimeout(1000);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        out.write(("  V2SUB " + topic + " " + channel + "\nRDY " + rdy + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] fin = "FIN 0123456789abcdef\n".getBytes(StandardCharsets.US_ASCII);
        while (System.nanoTime() < deadline) {
            int length;
            try {
                length = in.readInt();
            } catch (java.net.SocketTimeoutException e) {
                continue;
            }
            int type = in.readInt();
            byte[] data = new byte[length - 4];
            in.readFully(data);
            if (type == 2) {
                System.arraycopy(data, 10, fin, 4, 16);
                out.write(fin);
                messages.incrementAndGet();
                if (in.available() == 0) {
                    out.flush();
                }
            } else if (type == 1) {
                throw new IOException(new String(data, StandardCharsets.UTF_8));
            } else if (new String(data, StandardCharsets.UTF_8).equals("_heartbeat_")) {
                out.write("NOP\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        }
        out.write("CLS\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String frame(DataInputStream in) throws IOException {
        int length = in.readInt();
        in.readInt();
        byte[] data = new byte[length - 4];
        in.readFully(data);
        return new String(data, StandardCharsets.UTF_8);
    }
}
