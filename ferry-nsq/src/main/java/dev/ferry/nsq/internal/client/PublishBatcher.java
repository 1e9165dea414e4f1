package dev.ferry.nsq.internal.client;

import dev.ferry.nsq.internal.codec.ClientCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * Combines publishes waiting in a connection's outbox into one MPUB: consecutive PUBs and MPUBs to
 * the same topic, up to a number of messages and body bytes. The combined MPUB is all or nothing,
 * like each publish in it, so every publish it carries completes (or fails) with it. DPUBs and other
 * commands are never combined, and order is kept.
 *
 * <p>Used on the connection's event loop only; not thread-safe.
 */
final class PublishBatcher {
    private final int maxMessages;
    private final int maxBytes;

    PublishBatcher(int maxMessages, int maxBytes) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    /**
     * Returns {@code first}, or one MPUB carrying it and the publishes that follow it in {@code
     * queue} (which it takes from the queue).
     */
    ClientConnection.Outgoing combine(ClientConnection.Outgoing first, Queue<ClientConnection.Outgoing> queue) {
        String topic = topicOf(first.command());
        if (topic == null || first.answer() == null) {
            return first;
        }
        ClientConnection.Outgoing next = queue.peek();
        if (next == null || !topic.equals(topicOf(next.command())) || next.answer() == null) {
            return first;
        }
        List<byte[]> bodies = new ArrayList<>();
        List<CompletableFuture<byte[]>> answers = new ArrayList<>();
        long bytes = add(first, bodies);
        answers.add(first.answer());
        while ((next = queue.peek()) != null
                && next.answer() != null
                && topic.equals(topicOf(next.command()))
                && bodies.size() + count(next.command()) <= maxMessages
                && bytes + bytes(next.command()) <= maxBytes) {
            queue.poll();
            bytes += add(next, bodies);
            answers.add(next.answer());
        }
        if (answers.size() == 1) {
            return first;
        }
        CompletableFuture<byte[]> all = new CompletableFuture<>();
        all.whenComplete((data, error) -> {
            for (CompletableFuture<byte[]> a : answers) {
                if (error == null) {
                    a.complete(data);
                } else {
                    a.completeExceptionally(error);
                }
            }
        });
        return new ClientConnection.Outgoing(new ClientCommand.Mpub(topic, bodies), all);
    }

    private static String topicOf(ClientCommand command) {
        return switch (command) {
            case ClientCommand.Pub p -> p.topic();
            case ClientCommand.Mpub m -> m.topic();
            default -> null;
        };
    }

    private static int count(ClientCommand command) {
        return command instanceof ClientCommand.Mpub m ? m.bodies().size() : 1;
    }

    private static long bytes(ClientCommand command) {
        return switch (command) {
            case ClientCommand.Pub p -> p.body().length;
            case ClientCommand.Mpub m -> {
                long n = 0;
                for (byte[] b : m.bodies()) {
                    n += b.length;
                }
                yield n;
            }
            default -> 0;
        };
    }

    private static long add(ClientConnection.Outgoing out, List<byte[]> bodies) {
        switch (out.command()) {
            case ClientCommand.Pub p -> bodies.add(p.body());
            case ClientCommand.Mpub m -> bodies.addAll(m.bodies());
            default -> throw new IllegalStateException("not a publish: " + out.command());
        }
        return bytes(out.command());
    }
}
