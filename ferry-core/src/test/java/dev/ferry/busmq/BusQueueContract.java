package dev.ferry.busmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.NotFoundException;
import dev.ferry.busmq.BusQueue.ConsumeOptions;
import dev.ferry.busmq.BusQueue.Delivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * busmq's queue behaviour, written once and run against every way to reach a bus: embedded, and
 * through the NSQ client against a Ferry broker. The clock given to {@link #open} drives the
 * engine's ttl decisions.
 */
public abstract class BusQueueContract extends BusContract {
    protected static final Duration TTL = Duration.ofSeconds(5);

    protected BusQueue queue(String name, Recorder recorder) {
        BusQueue q = BusQueue.of(bus, name);
        q.addListener(recorder);
        return closeAfter(q);
    }

    protected BusQueue queue(String name) {
        return queue(name, new Recorder());
    }

    @Test
    void shouldSayOnAttachWhetherTheQueueExisted() {
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        assertThat(queue("q", first).attach()).isFalse();
        assertThat(queue("q", second).attach()).isTrue();
        assertThat(first.events).containsExactly("attaching", "attached:false");
        assertThat(second.events).containsExactly("attaching", "attached:true");
    }

    @Test
    void shouldDeliverInPushOrderToOneConsumer() {
        BusQueue producer = queue("q");
        producer.attach();
        List<String> pushed = IntStream.range(0, 50).mapToObj(i -> "m" + i).toList();
        pushed.forEach(producer::push);
        Recorder r = new Recorder();
        BusQueue consumer = queue("q", r);
        consumer.attach();
        consumer.consume();
        await().atMost(Duration.ofSeconds(10)).until(() -> r.messages.size() == 50);
        assertThat(r.messages).containsExactlyElementsOf(pushed);
        assertThat(producer.pushed()).isEqualTo(50);
        assertThat(consumer.consumed()).isEqualTo(50);
        assertThat(consumer.pushed()).isZero();
    }

    @Test
    void shouldPushJsonAndStrings() {
        Recorder r = new Recorder();
        BusQueue q = queue("q", r);
        q.attach();
        q.pushJson(Map.of("hello", "world"));
        q.push("my name is foo");
        q.consume();
        await().until(() -> r.messages.size() == 2);
        assertThat(r.messages).containsExactly("{\"hello\":\"world\"}", "my name is foo");
    }

    @Test
    void shouldRefusePushAndConsumeBeforeAttach() {
        BusQueue q = queue("q");
        assertThatThrownBy(() -> q.push("x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'q'")
                .hasMessageContaining("attach");
        assertThatThrownBy(q::consume).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldReportConsumingAndStop() {
        Recorder r = new Recorder();
        BusQueue q = queue("q", r);
        q.attach();
        assertThat(q.isConsuming()).isFalse();
        q.consume();
        assertThat(q.isConsuming()).isTrue();
        q.push("a");
        await().until(() -> r.messages.size() == 1);
        q.stop();
        assertThat(q.isConsuming()).isFalse();
        q.push("b");
        assertThat(q.count()).isEqualTo(1);
        assertThat(r.messages).containsExactly("a");
        assertThat(r.events).containsSubsequence("consuming:true", "message:a", "consuming:false");
    }

    @Test
    void shouldConsumeAtMostMaxThenStop() {
        Recorder r = new Recorder();
        BusQueue q = queue("q", r);
        q.attach();
        for (int i = 0; i < 5; i++) {
            q.push("m" + i);
        }
        q.consume(ConsumeOptions.DEFAULT.withMax(2));
        await().until(() -> !q.isConsuming());
        await().until(() -> r.events.contains("consuming:false"));
        assertThat(r.messages).containsExactly("m0", "m1");
        assertThat(r.events).containsSubsequence("consuming:true", "message:m0", "message:m1", "consuming:false");
        assertThat(q.count()).isEqualTo(3);
        assertThat(q.consumed()).isEqualTo(2);
    }

    @Test
    void shouldShareMessagesBetweenConsumers() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        BusQueue qa = queue("q", a);
        BusQueue qb = queue("q", b);
        qa.attach();
        qb.attach();
        qa.consume();
        qb.consume();
        for (int i = 0; i < 20; i++) {
            qa.push("m" + i);
        }
        await().until(() -> a.messages.size() + b.messages.size() == 20);
        List<String> all = new ArrayList<>(a.messages);
        all.addAll(b.messages);
        assertThat(all).doesNotHaveDuplicates().hasSize(20);
    }

    @Test
    void shouldLeaveMessagesInTheQueueWhenNotRemoving() {
        Recorder peeker = new Recorder();
        BusQueue peek = queue("q", peeker);
        peek.attach();
        peek.consume(ConsumeOptions.DEFAULT.withRemove(false));
        peek.push("a");
        peek.push("b");
        await().until(() -> peeker.messages.size() == 2);
        assertThat(peeker.messages).containsExactly("a", "b");
        assertThat(peek.count()).isEqualTo(2);
        Recorder taker = new Recorder();
        BusQueue take = queue("q", taker);
        take.attach();
        take.consume();
        await().until(() -> taker.messages.size() == 2);
        assertThat(taker.messages).containsExactly("a", "b");
        await().until(() -> take.count() == 0);
    }

    @Test
    void shouldCountPurgeAndDestroy() {
        BusQueue q = queue("q");
        q.attach();
        assertThat(q.count()).isZero();
        q.push("a");
        q.push("b");
        q.push("c");
        assertThat(q.count()).isEqualTo(3);
        q.purge();
        assertThat(q.count()).isZero();
        assertThat(q.exists()).isTrue();
        q.push("d");
        q.destroy();
        assertThat(q.exists()).isFalse();
        assertThat(q.isAttached()).isFalse();
        assertThat(q.count()).isZero();
        assertThat(bus.admin().topic("q")).isEmpty();
    }

    @Test
    void shouldKnowTtlAndExistence() {
        BusQueue q = queue("q");
        assertThat(q.exists()).isFalse();
        assertThat(q.ttl()).isEmpty();
        q.attach(TTL);
        assertThat(q.exists()).isTrue();
        assertThat(q.ttl()).contains(TTL);
        BusQueue other = queue("q");
        other.attach(Duration.ofSeconds(7));
        assertThat(q.ttl()).contains(Duration.ofSeconds(7));
    }

    @Test
    void shouldEmitDetachEventsAndExpireAfterTtlWithoutAttachments() {
        Recorder r = new Recorder();
        BusQueue q = queue("q", r);
        q.attach(TTL);
        q.push("lost");
        q.detach();
        assertThat(r.events).containsExactly("attaching", "attached:false", "detaching", "detached");
        assertThat(q.isAttached()).isFalse();
        clock.advance(TTL.minusSeconds(1));
        assertThat(q.exists()).isTrue();
        clock.advance(Duration.ofSeconds(2));
        await().until(() -> !q.exists());
        await().until(() -> bus.admin().topic("q").isEmpty());
        assertThat(queue("q").attach()).isFalse();
        assertThat(q.count()).isZero();
    }

    @Test
    void shouldNotExpireWhileAnyoneIsAttached() {
        BusQueue a = queue("q");
        BusQueue b = queue("q");
        a.attach(TTL);
        b.attach(TTL);
        a.push("kept");
        a.detach();
        clock.advance(TTL.multipliedBy(10));
        assertThat(b.exists()).isTrue();
        assertThat(b.count()).isEqualTo(1);
        b.close();
        clock.advance(TTL.plusSeconds(1));
        await().until(() -> !b.exists());
    }

    @Test
    void shouldLiveOnWhenAttachedAgainWithinTtl() {
        BusQueue q = queue("q");
        q.attach(TTL);
        q.push("kept");
        q.detach();
        clock.advance(TTL.minusSeconds(1));
        assertThat(q.attach(TTL)).isTrue();
        clock.advance(TTL.multipliedBy(3));
        assertThat(q.exists()).isTrue();
        assertThat(q.count()).isEqualTo(1);
    }

    @Test
    void shouldGetAndSetMetadata() {
        BusQueue q = queue("q");
        assertThatThrownBy(() -> q.metadata("owner", "me"))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("'q'");
        assertThat(q.metadata("owner")).isEmpty();
        q.attach();
        q.metadata("owner", "alice");
        q.metadata("purpose", "tests");
        BusQueue other = queue("q");
        assertThat(other.metadata("owner")).contains("alice");
        assertThat(other.metadata("purpose")).contains("tests");
        assertThat(other.metadata("missing")).isEmpty();
        q.metadata("owner", null);
        assertThat(other.metadata("owner")).isEmpty();
    }

    @Test
    void shouldRedeliverWhenAskedForAtLeastOnce() {
        AtomicInteger calls = new AtomicInteger();
        List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        BusQueue q = queue("q");
        q.addListener(BusQueue.Listener.onMessage(m -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("first try fails");
            }
            got.add(m);
        }));
        q.attach();
        q.push("again");
        q.consume(ConsumeOptions.DEFAULT.withDelivery(Delivery.AT_LEAST_ONCE));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            clock.advance(Duration.ofSeconds(1)); // past the requeue backoff
            return got.size() == 1;
        });
        assertThat(got).containsExactly("again");
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void shouldNotRedeliverAtMostOnceButReportTheError() {
        Recorder r = new Recorder();
        BusQueue q = queue("q", r);
        q.addListener(BusQueue.Listener.onMessage(m -> {
            if (m.equals("bad")) {
                throw new IllegalStateException("listener failed on " + m);
            }
        }));
        q.attach();
        q.push("bad");
        q.push("good");
        q.consume();
        await().until(() -> r.messages.contains("good"));
        await().until(() -> r.errors.size() == 1);
        assertThat(r.errors.getFirst()).hasMessage("listener failed on bad");
        clock.advance(Duration.ofMinutes(5));
        assertThat(q.count()).isZero();
        assertThat(r.messages).containsExactly("bad", "good");
    }

    @Test
    void shouldStopAndDetachOnClose() {
        Recorder r = new Recorder();
        BusQueue q = queue("q", r);
        q.attach(TTL);
        q.consume();
        q.close();
        assertThat(q.isConsuming()).isFalse();
        assertThat(q.isAttached()).isFalse();
        assertThat(r.events).containsSubsequence("consuming:false", "detaching", "detached");
        q.close();
        clock.advance(TTL.plusSeconds(1));
        await().until(() -> !q.exists());
    }
}
