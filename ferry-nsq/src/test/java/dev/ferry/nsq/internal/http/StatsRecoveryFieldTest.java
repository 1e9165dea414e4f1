package dev.ferry.nsq.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.ChannelStats;
import dev.ferry.DeadLetter;
import dev.ferry.RecoveryStats;
import dev.ferry.TopicStats;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /stats} shows what recovery found damaged, and only where it found something. */
class StatsRecoveryFieldTest {
    private final StatsJson view = new StatsJson("1.3.0", 0, 10, null, null, true);

    private static ChannelStats channel(String name, RecoveryStats recovery) {
        return new ChannelStats(name, 0, 0, 0, 0, 0, 0, 0, 0, false, false, DeadLetter.NONE, 0, recovery);
    }

    private static TopicStats topic(String name, RecoveryStats recovery, ChannelStats... channels) {
        return new TopicStats(name, 0, 0, 0, 0, 0, 0, false, false, List.of(channels), recovery);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldShowRecoveryCountsOnDamagedTopicsAndChannelsOnly() {
        List<TopicStats> topics = List.of(
                topic(
                        "damaged",
                        new RecoveryStats(1, 1, 2999, 101, 0),
                        channel("c", new RecoveryStats(1, 1, 0, 17, 0))),
                topic("healthy", RecoveryStats.NONE, channel("c", RecoveryStats.NONE)));
        List<Map<String, Object>> json =
                (List<Map<String, Object>>) view.json(topics, false).get("topics");
        assertThat((Map<String, Object>) json.get(0).get("recovery"))
                .containsEntry("damaged_stretches", 1L)
                .containsEntry("records_lost", 1L)
                .containsEntry("records_kept", 2999L)
                .containsEntry("bytes_quarantined", 101L)
                .containsEntry("torn_bytes_cut", 0L);
        List<Map<String, Object>> channels =
                (List<Map<String, Object>>) json.get(0).get("channels");
        assertThat((Map<String, Object>) channels.get(0).get("recovery")).containsEntry("bytes_quarantined", 17L);
        assertThat(json.get(1)).doesNotContainKey("recovery");
        assertThat(((List<Map<String, Object>>) json.get(1).get("channels")).get(0))
                .doesNotContainKey("recovery");
        String text = view.text(topics, false);
        assertThat(text).contains("recovery: damaged: 1 lost: 1 kept: 2999 quarantined-bytes: 101 torn-bytes: 0");
        assertThat(text.lines().filter(l -> l.contains("recovery:"))).hasSize(2);
    }
}
