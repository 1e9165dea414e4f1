package dev.ferry.server;

import dev.ferry.ChannelStats;
import dev.ferry.TopicStats;
import java.util.StringJoiner;

/** Renders statistics snapshots as one readable line each, for people rather than programs. */
final class StatsFormat {
    private StatsFormat() {}

    /**
     * A topic and its channels on one line, e.g. {@code topic demo: 10 published (512 B), 4 KiB
     * stored, depth 0 | channel printer: 10 received, depth 0, in flight 0, ...}.
     */
    static String line(TopicStats topic) {
        StringJoiner line = new StringJoiner(" | ");
        line.add("topic " + topic.name() + flags(topic.paused(), topic.ephemeral()) + ": "
                + topic.messageCount() + " published (" + bytes(topic.messageBytes()) + "), "
                + bytes(topic.storedBytes()) + " stored, depth " + topic.depth()
                + ", dropped " + topic.dropCount() + ", rejected " + topic.rejectCount());
        for (ChannelStats channel : topic.channels()) {
            line.add(channel(channel));
        }
        return line.toString();
    }

    private static String channel(ChannelStats channel) {
        return "channel " + channel.name() + flags(channel.paused(), channel.ephemeral()) + ": "
                + channel.messageCount() + " received, depth " + channel.depth()
                + ", in flight " + channel.inFlight()
                + ", deferred " + channel.deferred()
                + ", requeued " + channel.requeueCount()
                + ", timed out " + channel.timeoutCount()
                + ", dropped " + channel.dropCount()
                + ", consumers " + channel.consumers();
    }

    private static String flags(boolean paused, boolean ephemeral) {
        return (paused ? " (paused)" : "") + (ephemeral ? " (ephemeral)" : "");
    }

    /** Bytes in B, KiB, MiB or GiB, with one decimal above 1 KiB. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
