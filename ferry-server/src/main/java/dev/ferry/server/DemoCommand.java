package dev.ferry.server;

import dev.ferry.Bus;
import dev.ferry.FerryException;
import dev.ferry.MessageHandler;
import dev.ferry.SubscribeOptions;
import dev.ferry.TopicStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry demo}: a tour of the embedded bus in one run. Opens a bus on a data directory of its
 * own (a new temporary one, deleted at the end, unless {@code --data-dir} names one to keep),
 * subscribes to topic {@value #TOPIC} channel {@value #CHANNEL}, publishes a few small JSON
 * messages, prints each as it is published and consumed, then prints the topic statistics.
 *
 * <p>Messages left over in the data directory by an earlier, interrupted run are consumed and
 * printed too, but only this run's messages count towards the wait. Handlers run on the bus's
 * handler threads; the command's thread publishes and then waits, at most {@link #WAIT}.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Publish a few messages to an embedded bus, consume them, print the statistics.")
final class DemoCommand implements Callable<Integer> {
    static final String TOPIC = "demo";
    static final String CHANNEL = "printer";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "Where the embedded bus keeps its data, kept after the run. Default: a new temporary"
                    + " directory, deleted at the end, so that each run starts empty.")
    private Path dataDir;

    @Option(
            names = "--count",
            defaultValue = "10",
            paramLabel = "N",
            description = "How many messages to publish (default: ${DEFAULT-VALUE}).")
    private int count;

    @Override
    public Integer call() throws InterruptedException {
        if (count < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1, got " + count);
        }
        PrintWriter out = spec.commandLine().getOut();
        String run = UUID.randomUUID().toString().substring(0, 8);
        Set<String> pending = ConcurrentHashMap.newKeySet();
        CountDownLatch consumed = new CountDownLatch(count);

        Path dir = dataDir;
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("ferry-demo-");
            } catch (IOException e) {
                throw new FerryException(
                        "cannot create a temporary directory for the demo: " + e.getMessage()
                                + "; give one with --data-dir",
                        e);
            }
        } else {
            DataDirectoryCheck.check(dir, "--data-dir");
        }
        try {
            return demo(out, dir, run, pending, consumed);
        } finally {
            if (dataDir == null) {
                deleteTree(dir);
            }
        }
    }

    private int demo(PrintWriter out, Path dir, String run, Set<String> pending, CountDownLatch consumed)
            throws InterruptedException {
        try (Bus bus = Bus.embedded(dir)) {
            MessageHandler printer = message -> {
                String body = new String(message.body(), StandardCharsets.UTF_8);
                print(out, "consumed: " + body + " (attempts=" + message.attempts() + ", id=" + message.id() + ")");
                // Finish before counting, so that the statistics printed at the end show it done.
                message.finish();
                if (pending.remove(body)) {
                    consumed.countDown();
                }
            };
            bus.subscribe(TOPIC, CHANNEL, printer, SubscribeOptions.maxInFlight(4));

            for (int seq = 1; seq <= count; seq++) {
                String body = "{\"run\":\"" + run + "\",\"seq\":" + seq + ",\"text\":\"hello from ferry\"}";
                pending.add(body);
                bus.publish(TOPIC, body.getBytes(StandardCharsets.UTF_8));
                print(out, "published: " + body);
            }

            if (!consumed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("ferry demo: only " + (count - consumed.getCount()) + " of " + count
                        + " messages were consumed within " + WAIT.toSeconds() + " s");
                err.flush();
                return Ferry.EXIT_FAILURE;
            }
            for (TopicStats topic : bus.admin().topics()) {
                print(out, "stats: " + StatsFormat.line(topic));
            }
        }
        return 0;
    }

    /** Deletes the demo's temporary directory; what cannot be deleted stays, as a temporary file would. */
    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // left for the system's cleaning of its temporary directory
        }
    }

    /** Prints a whole line at once: handler threads and the publishing thread share {@code out}. */
    private static void print(PrintWriter out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
