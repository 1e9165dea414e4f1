package dev.ferry.nsq.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The bounded label values of the broker's metrics. */
class MetricLabelsTest {
    @Test
    void shouldPoolEphemeralAndReplyTopicsUnderOneLabelEach() {
        MetricLabels labels = new MetricLabels(10, 10);
        Set<String> values = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            values.add(labels.topic("ferry-reply-" + i));
            values.add(labels.topic("session-" + i + "#ephemeral"));
        }

        assertThat(values).containsExactlyInAnyOrder(MetricLabels.REPLY, MetricLabels.EPHEMERAL);
        assertThat(labels.topic("orders")).isEqualTo("orders"); // the pools took none of the bound
    }

    @Test
    void shouldGiveTheFirstTopicsTheirOwnLabelAndPoolTheRest() {
        MetricLabels labels = new MetricLabels(3, 100);

        assertThat(labels.topic("a")).isEqualTo("a");
        assertThat(labels.topic("b")).isEqualTo("b");
        assertThat(labels.topic("c")).isEqualTo("c");
        assertThat(labels.topic("d")).isEqualTo(MetricLabels.OTHER);
        assertThat(labels.topic("a")).as("a topic keeps its label").isEqualTo("a");
    }

    @Test
    void shouldBoundChannelLabelsAndLetPooledTopicsPoolTheirChannels() {
        MetricLabels labels = new MetricLabels(100, 2);

        assertThat(labels.channel("orders", "billing")).isEqualTo("billing");
        assertThat(labels.channel("orders", "audit")).isEqualTo("audit");
        assertThat(labels.channel("orders", "late")).isEqualTo(MetricLabels.OTHER);
        assertThat(labels.channel("orders", "tail#ephemeral")).isEqualTo(MetricLabels.EPHEMERAL);
        assertThat(labels.channel("ferry-reply-7", "c")).isEqualTo(MetricLabels.REPLY);
        assertThat(labels.channel("billing", "audit"))
                .as("the bound counts topic and channel pairs")
                .isEqualTo(MetricLabels.OTHER);
    }

    @Test
    void shouldRefuseANegativeBound() {
        assertThatThrownBy(() -> new MetricLabels(-1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metric label bounds must be 0 or more, got -1 topics and 0 channels");
    }
}
