package dev.ferry.mqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.FerryException;
import dev.ferry.NotFoundException;
import dev.ferry.mqueue.MemoryQueueDefinition.AddMode;
import dev.ferry.mqueue.MemoryQueueDefinition.DbMode;
import dev.ferry.mqueue.MemoryQueues.AddResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Memory queues: Kamailio's mqueue behaviour, its return codes, definitions and concurrency. */
class MemoryQueuesTest {

    private static List<String> drainKeys(MemoryQueues queues, String queue) {
        List<String> keys = new ArrayList<>();
        for (Optional<MemoryQueueItem> item; (item = queues.fetch(queue)).isPresent(); ) {
            keys.add(item.get().key());
        }
        return keys;
    }

    @Test
    void shouldDropTheOldestItemsWhenAnAddGoesOverTheSize() {
        try (MemoryQueues queues = MemoryQueues.of("name=myq;size=3")) {
            for (int i = 1; i <= 5; i++) {
                assertThat(queues.add("myq", "k" + i, "v" + i)).isEqualTo(AddResult.ADDED);
            }
            assertThat(queues.size("myq")).isEqualTo(3);
            assertThat(queues.stats("myq")).isEqualTo(new MemoryQueueStats("myq", 3, 3, 5, 0, 2, 0, 0));
            assertThat(queues.fetch("myq")).contains(new MemoryQueueItem("k3", "v3"));
            assertThat(drainKeys(queues, "myq")).containsExactly("k4", "k5");
        }
    }

    @Test
    void shouldGrowWithoutBoundWhenSizeIsZeroNegativeOrAbsent() {
        try (MemoryQueues queues = MemoryQueues.of("name=a", "name=b;size=0", "name=c;size=-4")) {
            for (String q : List.of("a", "b", "c")) {
                for (int i = 0; i < 1000; i++) {
                    queues.add(q, "k", "v");
                }
                assertThat(queues.size(q)).isEqualTo(1000);
            }
        }
    }

    @Test
    void shouldKeepTheExistingItemWithAddMode1AndStillSucceed() {
        try (MemoryQueues queues = MemoryQueues.of("name=q;addmode=1")) {
            assertThat(queues.add("q", "a", "1")).isEqualTo(AddResult.ADDED);
            assertThat(queues.add("q", "b", "1")).isEqualTo(AddResult.ADDED);
            assertThat(queues.add("q", "a", "2")).isEqualTo(AddResult.KEPT_EXISTING);
            assertThat(queues.script().add("q", "a", "3")).isEqualTo(1);
            assertThat(queues.fetch("q")).contains(new MemoryQueueItem("a", "1"));
            assertThat(queues.fetch("q")).contains(new MemoryQueueItem("b", "1"));
            assertThat(queues.fetch("q")).isEmpty();
            assertThat(queues.stats("q").keptExisting()).isEqualTo(2);
            // once fetched, the key may come again
            assertThat(queues.add("q", "a", "4")).isEqualTo(AddResult.ADDED);
        }
    }

    @Test
    void shouldMoveTheReplacedKeyToTheTailWithAddMode2() {
        try (MemoryQueues queues = MemoryQueues.of("name=q;addmode=2")) {
            queues.add("q", "a", "a1");
            queues.add("q", "b", "b1");
            assertThat(queues.add("q", "a", "a2")).isEqualTo(AddResult.REPLACED);
            assertThat(queues.size("q")).isEqualTo(2);
            assertThat(queues.fetch("q")).contains(new MemoryQueueItem("b", "b1"));
            assertThat(queues.fetch("q")).contains(new MemoryQueueItem("a", "a2"));
            assertThat(queues.stats("q").replaced()).isEqualTo(1);
        }
    }

    @Test
    void shouldApplyTheSizeAfterTheAddModeForKeyedQueues() {
        try (MemoryQueues queues = MemoryQueues.of("name=q;size=2;addmode=2")) {
            queues.add("q", "a", "1");
            queues.add("q", "b", "1");
            queues.add("q", "a", "2"); // replaces: still two items, nothing dropped
            queues.add("q", "c", "1"); // drops the oldest, b
            assertThat(queues.stats("q").dropped()).isEqualTo(1);
            assertThat(drainKeys(queues, "q")).containsExactly("a", "c");
        }
    }

    @Test
    void shouldAllowRepeatedKeysWithAddMode0() {
        try (MemoryQueues queues = MemoryQueues.of("name=q")) {
            queues.add("q", "a", "1");
            queues.add("q", "a", "2");
            assertThat(queues.fetch("q")).contains(new MemoryQueueItem("a", "1"));
            assertThat(queues.fetch("q")).contains(new MemoryQueueItem("a", "2"));
        }
    }

    @Test
    void shouldAnswerKamailiosReturnCodes() {
        try (MemoryQueues queues = MemoryQueues.of("name=q")) {
            assertThat(queues.script().size("q")).isEqualTo(-1);
            assertThat(queues.script().size("nope")).isEqualTo(-2);
            assertThat(queues.script().sizeValue("q")).isZero();
            assertThat(queues.script().sizeValue("nope")).isZero();
            assertThat(queues.script().add("nope", "k", "v")).isEqualTo(-1);
            assertThat(queues.script().add("q", "k1", "v1")).isEqualTo(1);
            assertThat(queues.script().add("q", "k2", "v2")).isEqualTo(1);
            assertThat(queues.script().size("q")).isEqualTo(2);
            assertThat(queues.script().sizeValue("q")).isEqualTo(2);
            assertThat(queues.script().fetch("nope")).isEqualTo(-1);
            assertThat(queues.script().fetch("q")).isEqualTo(1);
            assertThat(queues.script().fetched("q")).contains(new MemoryQueueItem("k1", "v1"));
            assertThat(queues.script().fetch("q")).isEqualTo(1);
            assertThat(queues.script().fetched("q")).contains(new MemoryQueueItem("k2", "v2"));
            assertThat(queues.script().fetch("q")).isEqualTo(-2);
            assertThat(queues.script().fetched("q"))
                    .as("a failed fetch clears the item")
                    .isEmpty();
            assertThat(queues.script().fetched("nope")).isEmpty();
        }
    }

    @Test
    void shouldThrowNotFoundForAnUnknownQueueInTheJavaFace() {
        try (MemoryQueues queues = MemoryQueues.of("name=q")) {
            assertThatThrownBy(() -> queues.add("x", "k", "v"))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessage("no memory queue \"x\" (defined: q)");
            assertThatThrownBy(() -> queues.fetch("x")).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> queues.size("x")).isInstanceOf(NotFoundException.class);
            assertThat(queues.contains("q")).isTrue();
            assertThat(queues.contains("x")).isFalse();
        }
    }

    @Test
    void shouldKeepTheFetchedItemPerThreadUntilFreed() throws Exception {
        try (MemoryQueues queues = MemoryQueues.of("name=q")) {
            queues.add("q", "mine", "1");
            queues.add("q", "theirs", "2");
            assertThat(queues.script().fetch("q")).isEqualTo(1);
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                Future<Optional<MemoryQueueItem>> seenByOther = other.submit(() -> {
                    Optional<MemoryQueueItem> before = queues.script().fetched("q");
                    assertThat(queues.script().fetch("q")).isEqualTo(1);
                    assertThat(queues.script().fetched("q")).contains(new MemoryQueueItem("theirs", "2"));
                    return before;
                });
                assertThat(seenByOther.get(10, TimeUnit.SECONDS)).isEmpty();
            } finally {
                other.shutdownNow();
            }
            assertThat(queues.script().fetched("q")).contains(new MemoryQueueItem("mine", "1"));
            queues.script().clearFetched("q");
            assertThat(queues.script().fetched("q")).isEmpty();
            queues.script().clearFetched("nope"); // nothing to free, no error
        }
    }

    @Test
    void shouldKeepEmptyKeysAndValues() {
        try (MemoryQueues queues = MemoryQueues.of("name=q")) {
            queues.add("q", "", "");
            queues.add("q", "k", "");
            assertThat(queues.fetch("q")).contains(new MemoryQueueItem("", ""));
            assertThat(queues.fetch("q")).contains(new MemoryQueueItem("k", ""));
        }
    }

    @Test
    void shouldParseDefinitionsInKamailiosSyntax() {
        assertThat(MemoryQueueDefinition.parse("name=myq;size=20;"))
                .isEqualTo(new MemoryQueueDefinition("myq", 20, DbMode.NONE, AddMode.APPEND));
        assertThat(MemoryQueueDefinition.parse(" name = q ; dbmode=1; addmode=2 ;size=3"))
                .isEqualTo(new MemoryQueueDefinition("q", 3, DbMode.LOAD_AND_SAVE, AddMode.REPLACE));
        assertThat(MemoryQueueDefinition.parse("name=qaz")).isEqualTo(MemoryQueueDefinition.of("qaz"));
        assertThat(MemoryQueueDefinition.parse("name=x;dbmode=2").dbMode()).isEqualTo(DbMode.LOAD);
        assertThat(MemoryQueueDefinition.parse("name=x;dbmode=3").dbMode()).isEqualTo(DbMode.SAVE);
        assertThat(MemoryQueueDefinition.parse("name=x;addmode=1").addMode()).isEqualTo(AddMode.KEEP_EXISTING);
        MemoryQueueDefinition d = MemoryQueueDefinition.parse("name=x;size=7;dbmode=3;addmode=1");
        assertThat(MemoryQueueDefinition.parse(d.toDefinition())).isEqualTo(d);
    }

    @Test
    void shouldRejectBadDefinitionsNamingWhatIsWrong() {
        assertThatThrownBy(() -> MemoryQueueDefinition.parse("size=3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory queue definition \"size=3\" has no name");
        assertThatThrownBy(() -> MemoryQueueDefinition.parse("name=q;colour=red"))
                .hasMessageContaining("unknown attribute \"colour\"");
        assertThatThrownBy(() -> MemoryQueueDefinition.parse("name=q;size=big"))
                .hasMessage("memory queue definition \"name=q;size=big\": size must be an integer, got \"big\"");
        assertThatThrownBy(() -> MemoryQueueDefinition.parse("name=q;dbmode=4"))
                .hasMessage("memory queue definition \"name=q;dbmode=4\": dbmode must be 0, 1, 2 or 3, got 4");
        assertThatThrownBy(() -> MemoryQueueDefinition.parse("name=q;addmode=3"))
                .hasMessageContaining("addmode must be 0, 1 or 2, got 3");
        assertThatThrownBy(() -> MemoryQueueDefinition.parse("name=q;name=r"))
                .hasMessageContaining("attribute \"name\" given twice");
        assertThatThrownBy(() -> MemoryQueueDefinition.parse("name=q;size"))
                .hasMessageContaining("\"size\" is not attr=value");
        assertThatThrownBy(() -> MemoryQueueDefinition.parse("")).hasMessage("memory queue definition is empty");
        assertThatThrownBy(() -> MemoryQueueDefinition.parse("name=bad-name;dbmode=1"))
                .hasMessageContaining("its name is a table name");
        assertThatThrownBy(() -> MemoryQueues.of("name=q", "name=q;size=2"))
                .hasMessage("memory queue \"q\" is defined twice");
        assertThatThrownBy(() -> MemoryQueues.of("name=q;dbmode=1"))
                .hasMessage("memory queues [q] have a dbmode but no database is set (Builder.database(jdbcUrl))");
    }

    @Test
    void shouldListDefinitionsAndStatsInDefinitionOrder() {
        try (MemoryQueues queues = MemoryQueues.of("name=b", "name=a;size=5")) {
            queues.add("a", "k", "v");
            assertThat(queues.definitions())
                    .extracting(MemoryQueueDefinition::name)
                    .containsExactly("b", "a");
            assertThat(queues.stats())
                    .extracting(MemoryQueueStats::name, MemoryQueueStats::size, MemoryQueueStats::limit)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("b", 0, 0),
                            org.assertj.core.groups.Tuple.tuple("a", 1, 5));
        }
    }

    @Test
    void shouldRefuseOperationsAfterClose() {
        MemoryQueues queues = MemoryQueues.of("name=q");
        queues.close();
        queues.close(); // idempotent
        assertThatThrownBy(() -> queues.add("q", "k", "v"))
                .isInstanceOf(FerryException.class)
                .hasMessage("memory queue \"q\" is closed");
        assertThatThrownBy(() -> queues.script().fetch("q")).isInstanceOf(FerryException.class);
    }

    @Test
    void shouldHandEveryItemToExactlyOneConsumerUnderConcurrency() throws Exception {
        int producers = 4;
        int consumers = 4;
        int perProducer = 20_000;
        try (MemoryQueues queues = MemoryQueues.of("name=q")) {
            ExecutorService pool = Executors.newFixedThreadPool(producers + consumers);
            try {
                CountDownLatch start = new CountDownLatch(1);
                AtomicInteger producing = new AtomicInteger(producers);
                Set<String> seen = ConcurrentHashMap.newKeySet();
                AtomicInteger duplicates = new AtomicInteger();
                List<Future<?>> tasks = new ArrayList<>();
                for (int p = 0; p < producers; p++) {
                    int id = p;
                    tasks.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < perProducer; i++) {
                            queues.add("q", id + ":" + i, "v");
                        }
                        producing.decrementAndGet();
                        return null;
                    }));
                }
                for (int c = 0; c < consumers; c++) {
                    tasks.add(pool.submit(() -> {
                        start.await();
                        while (true) {
                            boolean done = producing.get() == 0; // read before fetching: no item can be missed
                            Optional<MemoryQueueItem> item = queues.fetch("q");
                            if (item.isPresent()) {
                                if (!seen.add(item.get().key())) {
                                    duplicates.incrementAndGet();
                                }
                            } else if (done) {
                                return null;
                            } else {
                                Thread.onSpinWait();
                            }
                        }
                    }));
                }
                start.countDown();
                for (Future<?> t : tasks) {
                    t.get(60, TimeUnit.SECONDS);
                }
                assertThat(duplicates).hasValue(0);
                assertThat(seen).hasSize(producers * perProducer);
                assertThat(queues.size("q")).isZero();
                assertThat(queues.stats("q").fetched()).isEqualTo((long) producers * perProducer);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
