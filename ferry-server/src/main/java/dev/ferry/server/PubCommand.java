package dev.ferry.server;

import dev.ferry.Bus;
import dev.ferry.FerryException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry pub TOPIC [MESSAGE...]}: publishes the messages given, or each line of standard input
 * when none is. Up to {@value #WINDOW} publishes are on the wire at once; the command ends when the
 * broker has acknowledged every one (exit 0) or at the first refusal (exit 1, naming it). The broker's
 * size limits are the ones that hold (the client's own are lifted); a message over them fails the
 * command with the {@code ferry server} flag that raises them.
 */
@Command(
        name = "pub",
        mixinStandardHelpOptions = true,
        description = {
            "Publish messages to a topic: the MESSAGE arguments, or else each non-empty line of standard input.",
            "Exits 0 once the broker acknowledged them all, 1 at the first that failed."
        })
final class PubCommand extends ClientCommand {
    /** Publishes awaiting an answer at most, when reading standard input. */
    static final int WINDOW = 256;

    /** The client's own size bounds, set so high that the broker's limits are the ones that count. */
    private static final int NO_CLIENT_LIMIT = 1 << 30;

    @Mixin
    private ReportOptions report;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic.")
    private String topic;

    @Parameters(index = "1..*", paramLabel = "MESSAGE", description = "The messages; none: read standard input.")
    private List<String> messages = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        checkTopic(topic);
        for (String m : messages) {
            if (m.isEmpty()) {
                throw usageError("an empty MESSAGE cannot be published (NSQ has no empty messages)");
            }
        }
        AtomicLong published = new AtomicLong();
        long start = System.nanoTime();
        // the broker, not this client, decides what is too big: its limit may be above the client's 1 MiB
        try (Bus bus = broker.connect(
                        b -> b.publishing(p -> p.maxMessageSize(NO_CLIENT_LIMIT).maxBodySize(NO_CLIENT_LIMIT)));
                RateReporter ignored = report.start("pub", published::get)) {
            ArrayDeque<CompletableFuture<Void>> window = new ArrayDeque<>();
            if (messages.isEmpty()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line; (line = in.readLine()) != null; ) {
                    if (!line.isEmpty()) {
                        send(bus, line, window, published);
                    }
                }
            } else {
                for (String m : messages) {
                    send(bus, m, window, published);
                }
            }
            while (!window.isEmpty()) {
                settle(window.poll(), published);
            }
        }
        ChannelConsumption.log(
                spec.commandLine().getErr(),
                "pub: " + RateReporter.rate(published.get(), System.nanoTime() - start) + " to " + topic + " on "
                        + broker.describe());
        return 0;
    }

    private void send(Bus bus, String message, ArrayDeque<CompletableFuture<Void>> window, AtomicLong published) {
        CompletableFuture<Void> publish = bus.publishAsync(topic, message.getBytes(StandardCharsets.UTF_8));
        if (published.get() == 0 && window.isEmpty()) {
            // Wait for the first: publishes queued while the client is still connecting can go out in
            // another order, and lines should reach the topic in the order they were read.
            settle(publish, published);
            return;
        }
        window.add(publish);
        while (window.size() >= WINDOW || (!window.isEmpty() && window.peek().isDone())) {
            settle(window.poll(), published);
        }
    }

    /** Waits for one publish; a failure ends the command with its reason. */
    private void settle(CompletableFuture<Void> publish, AtomicLong published) {
        try {
            publish.join();
            published.incrementAndGet();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String failed = "pub to " + topic + " failed after " + published.get() + " messages: ";
            throw SizeRefusal.in(cause)
                    .map(r -> new FerryException(
                            failed + "a message of " + r.size() + " bytes is " + r.over()
                                    + "; raise the broker's limit: " + r.advice(r.size()),
                            cause))
                    .orElseGet(() -> new FerryException(failed + cause.getMessage(), cause));
        }
    }
}
