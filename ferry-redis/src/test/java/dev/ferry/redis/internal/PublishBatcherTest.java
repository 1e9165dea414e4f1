package dev.ferry.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.spi.PublishRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The publishes of a topic go at once while fewer than two calls are out, and are gathered after. */
class PublishBatcherTest {
    /** One call the batcher made: what it carried, and the stage the test completes. */
    private record Call(List<String> bodies, CompletableFuture<Void> result) {}

    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    private final PublishBatcher batcher = new PublishBatcher(records -> {
        Call call = new Call(
                records.stream()
                        .map(r -> new String(r.body(), StandardCharsets.UTF_8))
                        .toList(),
                new CompletableFuture<>());
        calls.add(call);
        return call.result();
    });

    private static List<PublishRecord> batch(String... bodies) {
        List<PublishRecord> out = new ArrayList<>();
        for (String b : bodies) {
            out.add(PublishRecord.of(b.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static List<PublishRecord> many(String prefix, int n) {
        List<PublishRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(PublishRecord.of((prefix + i).getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    @Test
    void shouldSendALonePublishAtOnce() {
        CompletableFuture<Void> done = batcher.submit(batch("a", "b"));

        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).bodies()).containsExactly("a", "b");
        assertThat(done).isNotDone();
        calls.get(0).result().complete(null);
        assertThat(done).isCompleted();
        assertThat(batcher.idle()).isTrue();
    }

    @Test
    void shouldGatherWhatArrivesWhileTwoCallsAreOutIntoOneCallInArrivalOrder() {
        CompletableFuture<Void> first = batcher.submit(batch("1"));
        CompletableFuture<Void> second = batcher.submit(batch("2"));
        CompletableFuture<Void> third = batcher.submit(batch("3a", "3b"));
        CompletableFuture<Void> fourth = batcher.submit(batch("4"));

        assertThat(calls).extracting(Call::bodies).containsExactly(List.of("1"), List.of("2"));
        calls.get(0).result().complete(null);

        assertThat(first).isCompleted();
        assertThat(calls).hasSize(3);
        assertThat(calls.get(2).bodies()).containsExactly("3a", "3b", "4");
        assertThat(third).isNotDone();
        calls.get(2).result().complete(null);
        assertThat(third).isCompleted();
        assertThat(fourth).isCompleted();
        assertThat(second).isNotDone();
        assertThat(batcher.idle()).isFalse();
        calls.get(1).result().complete(null);
        assertThat(second).isCompleted();
        assertThat(batcher.idle()).isTrue();
    }

    @Test
    void shouldFailEveryPublishOfAFailedCallAndStillSendTheNextOnes() {
        batcher.submit(batch("1"));
        batcher.submit(batch("2"));
        CompletableFuture<Void> third = batcher.submit(batch("3"));
        CompletableFuture<Void> fourth = batcher.submit(batch("4"));
        CompletableFuture<Void> fifth;

        calls.get(0).result().complete(null);
        fifth = batcher.submit(batch("5"));
        calls.get(2).result().completeExceptionally(new IllegalStateException("Redis at 127.0.0.1:1 refused"));

        assertThat(third).isCompletedExceptionally();
        assertThat(fourth).isCompletedExceptionally();
        assertThat(calls).hasSize(4);
        assertThat(calls.get(3).bodies()).containsExactly("5");
        calls.get(3).result().complete(null);
        assertThat(fifth).isCompleted();
    }

    @Test
    void shouldKeepAGatheredCallWithinItsByteBound() {
        int half = (int) (PublishBatcher.MAX_BYTES / 2);
        batcher.submit(batch("1"));
        batcher.submit(batch("2"));
        batcher.submit(List.of(PublishRecord.of(new byte[half])));
        batcher.submit(List.of(PublishRecord.of(new byte[half])));
        batcher.submit(batch("x"));

        calls.get(0).result().complete(null);

        assertThat(calls).hasSize(3);
        assertThat(calls.get(2).bodies()).as("two halves fill the bound").hasSize(2);
        calls.get(1).result().complete(null);
        assertThat(calls).hasSize(4);
        assertThat(calls.get(3).bodies()).containsExactly("x");
    }

    @Test
    void shouldKeepAGatheredCallWithinItsMessageBoundButSendALargerPublishWhole() {
        batcher.submit(batch("1"));
        batcher.submit(batch("2"));
        batcher.submit(many("a", PublishBatcher.MAX_MESSAGES - 1));
        batcher.submit(many("b", 2));
        batcher.submit(many("c", PublishBatcher.MAX_MESSAGES + 1));

        calls.get(0).result().complete(null);
        calls.get(1).result().complete(null);

        assertThat(calls).hasSize(4);
        assertThat(calls.get(2).bodies()).hasSize(PublishBatcher.MAX_MESSAGES - 1);
        assertThat(calls.get(3).bodies()).hasSize(2);
        calls.get(2).result().complete(null);
        assertThat(calls).hasSize(5);
        assertThat(calls.get(4).bodies()).hasSize(PublishBatcher.MAX_MESSAGES + 1);
    }
}
