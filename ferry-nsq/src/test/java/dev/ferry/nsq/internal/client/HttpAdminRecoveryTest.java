package dev.ferry.nsq.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.RecoveryStats;
import dev.ferry.TopicStats;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client's admin view carries what each broker's recovery found damaged, summed over brokers. */
class HttpAdminRecoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode topic(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void shouldSumTheRecoveryFiguresOfEveryBrokerForTopicsAndChannels() throws Exception {
        JsonNode first = topic("""
                {"topic_name":"t","depth":3,
                 "recovery":{"damaged_stretches":1,"records_lost":2,"records_kept":300,
                             "bytes_quarantined":40,"torn_bytes_cut":5},
                 "channels":[{"channel_name":"c","depth":3,
                   "recovery":{"damaged_stretches":1,"records_lost":1,"records_kept":0,
                               "bytes_quarantined":17,"torn_bytes_cut":0}}]}
                """);
        JsonNode second = topic("""
                {"topic_name":"t","depth":4,
                 "recovery":{"damaged_stretches":2,"records_lost":3,"records_kept":10,
                             "bytes_quarantined":60,"torn_bytes_cut":0},
                 "channels":[{"channel_name":"c","depth":4},{"channel_name":"d","depth":1}]}
                """);

        TopicStats merged = HttpAdmin.merge("t", List.of(first, second));

        assertThat(merged.depth()).isEqualTo(7);
        assertThat(merged.recovery()).isEqualTo(new RecoveryStats(3, 5, 310, 100, 5));
        assertThat(merged.channels())
                .filteredOn(c -> c.name().equals("c"))
                .singleElement()
                .satisfies(c -> assertThat(c.recovery()).isEqualTo(new RecoveryStats(1, 1, 0, 17, 0)));
        assertThat(merged.channels())
                .filteredOn(c -> c.name().equals("d"))
                .singleElement()
                .satisfies(c -> assertThat(c.recovery()).isEqualTo(RecoveryStats.NONE));
    }

    @Test
    void shouldReportNoDamageForABrokerWithoutTheRecoveryField() throws Exception {
        TopicStats merged =
                HttpAdmin.merge("t", List.of(topic("{\"topic_name\":\"t\",\"channels\":[{\"channel_name\":\"c\"}]}")));

        assertThat(merged.recovery()).isEqualTo(RecoveryStats.NONE);
        assertThat(merged.channels().get(0).recovery()).isEqualTo(RecoveryStats.NONE);
    }
}
