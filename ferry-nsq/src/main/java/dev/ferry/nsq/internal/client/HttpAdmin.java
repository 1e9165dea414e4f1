package dev.ferry.nsq.internal.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.BusAdmin;
import dev.ferry.ChannelStats;
import dev.ferry.FerryException;
import dev.ferry.Names;
import dev.ferry.NotFoundException;
import dev.ferry.NotSupportedException;
import dev.ferry.RecoveryStats;
import dev.ferry.TopicStats;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link BusAdmin} over nsqd's HTTP API, applied to every broker: the nsqd HTTP addresses given, or
 * the nodes lookupd lists. Statistics are {@code /stats?format=json} summed over the brokers by
 * topic and channel name; the other operations are nsqd's {@code /topic/*} and {@code /channel/*}
 * endpoints. Counters nsqd does not report (stored bytes, drops, rejects) read 0, and {@code
 * ephemeral} comes from the name. Thread-safe; every method blocks.
 */
final class HttpAdmin implements BusAdmin {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final List<String> addresses;
    private final List<String> tcpAddresses;
    private final LookupdClient lookupd;
    private final Duration timeout;
    /** The HTTP addresses learned from the nsqd TCP addresses, once every one was found; else null. */
    private volatile List<String> learned;

    /**
     * @param addresses the nsqd HTTP addresses given, used as they are
     * @param tcpAddresses the nsqd TCP addresses given, whose HTTP addresses are learned when neither
     *     HTTP addresses nor lookupd are given
     */
    HttpAdmin(
            HttpClient http,
            List<String> addresses,
            List<String> tcpAddresses,
            LookupdClient lookupd,
            Duration timeout) {
        this.http = http;
        this.addresses = List.copyOf(addresses);
        this.tcpAddresses = List.copyOf(tcpAddresses);
        this.lookupd = lookupd;
        this.timeout = timeout;
    }

    /**
     * The brokers' HTTP addresses: those given; else those lookupd lists (its records carry each
     * node's HTTP port); else those learned from the nsqd TCP addresses (see {@link #learn}).
     *
     * @throws NotSupportedException when none can be found, saying which setting gives them
     */
    List<String> brokers(String operation) {
        if (!addresses.isEmpty()) {
            return addresses;
        }
        if (lookupd == null) {
            return learn(operation);
        }
        List<String> found = new ArrayList<>();
        lookupd.nodes().join().forEach(n -> found.add(n.httpAddress()));
        if (found.isEmpty()) {
            throw new FerryException(operation + ": lookupd lists no nsqd node");
        }
        return found;
    }

    /**
     * The HTTP address of each nsqd TCP address, found where nsqd's defaults put it (TCP port + 1, as
     * 4150 and 4151) and taken only when that port's {@code /info} names the same TCP port, so that a
     * different service there is never mistaken for the broker. nsqd's IDENTIFY answer carries no HTTP
     * port, so this is the one place to learn it without lookupd. Kept once found for every address.
     */
    private List<String> learn(String operation) {
        List<String> known = learned;
        if (known != null) {
            return known;
        }
        if (tcpAddresses.isEmpty()) {
            throw new NotSupportedException(operation + " needs a broker's HTTP API, and this bus knows none:"
                    + " give ConnectOptions nsqd HTTP addresses (nsqdHttp) or lookupd addresses");
        }
        List<String> found = new ArrayList<>();
        for (String tcp : tcpAddresses) {
            int colon = tcp.lastIndexOf(':');
            String host = tcp.substring(0, colon);
            int port = Integer.parseInt(tcp.substring(colon + 1));
            String candidate = host + ":" + (port + 1);
            if (port == 65535 || !answersFor(candidate, port)) {
                throw new NotSupportedException(operation + " needs the HTTP address of the broker at " + tcp
                        + ", and nothing at " + candidate + " answered /info for TCP port " + port
                        + ": give it with ConnectOptions.builder().nsqd(\"" + tcp + "\").nsqdHttp(\"HOST:PORT\")"
                        + " (or give lookupd addresses)");
            }
            found.add(candidate);
        }
        learned = List.copyOf(found);
        return learned;
    }

    /** Whether {@code address} is the HTTP API of the broker listening on TCP port {@code tcpPort}. */
    private boolean answersFor(String address, int tcpPort) {
        try {
            HttpResponse<byte[]> info = call(address, "GET", "/info");
            return info.statusCode() == 200
                    && JSON.readTree(info.body()).path("tcp_port").asInt(-1) == tcpPort;
        } catch (FerryException | IOException e) {
            return false;
        }
    }

    private HttpResponse<byte[]> call(String address, String method, String pathAndQuery) {
        return call(address, method, pathAndQuery, null);
    }

    /** One request to one broker, with a body (null: none); blocks up to the response timeout. */
    HttpResponse<byte[]> call(String address, String method, String pathAndQuery, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + pathAndQuery))
                .timeout(timeout)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new FerryException(
                    "cannot reach nsqd's HTTP API at " + address + " (" + method + " " + pathAndQuery + "): "
                            + dev.ferry.support.NetworkErrors.reason(e)
                            + "; is the broker running, and is this its HTTP address?",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted during " + method + " " + pathAndQuery, e);
        }
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public List<TopicStats> topics() {
        return stats("", null);
    }

    @Override
    public Optional<TopicStats> topic(String topic) {
        Names.checkTopic(topic);
        return stats("&topic=" + q(topic), topic).stream().findFirst();
    }

    private List<TopicStats> stats(String filter, String only) {
        Map<String, List<JsonNode>> topics = new TreeMap<>();
        for (String address : brokers("stats")) {
            HttpResponse<byte[]> response = call(address, "GET", "/stats?format=json&include_clients=false" + filter);
            if (response.statusCode() != 200) {
                throw error(address, "/stats", response);
            }
            try {
                for (JsonNode t : JSON.readTree(response.body()).path("topics")) {
                    String name = t.path("topic_name").asText();
                    if (only == null || only.equals(name)) {
                        topics.computeIfAbsent(name, k -> new ArrayList<>()).add(t);
                    }
                }
            } catch (IOException e) {
                throw new FerryException("nsqd HTTP at " + address + " answered /stats with bad JSON: " + e, e);
            }
        }
        List<TopicStats> out = new ArrayList<>();
        topics.forEach((name, parts) -> out.add(merge(name, parts)));
        return out;
    }

    /** One topic as several brokers report it in {@code /stats}, summed. */
    static TopicStats merge(String name, List<JsonNode> parts) {
        long depth = 0;
        long messages = 0;
        long bytes = 0;
        boolean paused = false;
        Map<String, long[]> channels = new TreeMap<>();
        Map<String, Boolean> channelPaused = new TreeMap<>();
        Map<String, dev.ferry.DeadLetter> deadLetters = new TreeMap<>();
        Map<String, RecoveryStats> channelRecovery = new TreeMap<>();
        RecoveryStats recovery = RecoveryStats.NONE;
        for (JsonNode t : parts) {
            recovery = plus(recovery, recovery(t));
            depth += t.path("depth").asLong();
            messages += t.path("message_count").asLong();
            bytes += t.path("message_bytes").asLong();
            paused |= t.path("paused").asBoolean();
            for (JsonNode c : t.path("channels")) {
                String cn = c.path("channel_name").asText();
                long[] sums = channels.computeIfAbsent(cn, k -> new long[8]);
                sums[0] += c.path("depth").asLong();
                sums[1] += c.path("in_flight_count").asLong();
                sums[2] += c.path("deferred_count").asLong();
                sums[3] += c.path("message_count").asLong();
                sums[4] += c.path("requeue_count").asLong();
                sums[5] += c.path("timeout_count").asLong();
                sums[6] += c.path("client_count").asLong();
                // Ferry's own fields; a plain nsqd has no dead-letter policy
                sums[7] += c.path("dead_letter_count").asLong();
                int maxAttempts = c.path("dead_letter_max_attempts").asInt(0);
                if (maxAttempts > 0) {
                    String deadTopic = c.path("dead_letter_topic").asText(null);
                    deadLetters.put(
                            cn,
                            deadTopic == null
                                            || deadTopic.equals(dev.ferry.DeadLetter.after(maxAttempts)
                                                    .topicFor(name))
                                    ? dev.ferry.DeadLetter.after(maxAttempts)
                                    : dev.ferry.DeadLetter.after(maxAttempts).to(deadTopic));
                }
                channelPaused.merge(cn, c.path("paused").asBoolean(), Boolean::logicalOr);
                channelRecovery.merge(cn, recovery(c), HttpAdmin::plus);
            }
        }
        List<ChannelStats> list = new ArrayList<>();
        channels.forEach((cn, s) -> list.add(new ChannelStats(
                cn,
                s[0],
                s[1],
                s[2],
                s[3],
                s[4],
                s[5],
                0,
                (int) s[6],
                channelPaused.get(cn),
                Names.isEphemeral(cn),
                deadLetters.getOrDefault(cn, dev.ferry.DeadLetter.NONE),
                s[7],
                channelRecovery.get(cn))));
        return new TopicStats(name, depth, messages, bytes, 0, 0, 0, paused, Names.isEphemeral(name), list, recovery);
    }

    /**
     * Ferry's {@code recovery} object on a topic or channel of {@code /stats}: what the broker's
     * recovery found damaged in its files; {@link RecoveryStats#NONE} when absent (a clean broker, or
     * nsqd).
     */
    static RecoveryStats recovery(JsonNode node) {
        JsonNode r = node.path("recovery");
        if (!r.isObject()) {
            return RecoveryStats.NONE;
        }
        return new RecoveryStats(
                r.path("damaged_stretches").asLong(),
                r.path("records_lost").asLong(),
                r.path("records_kept").asLong(),
                r.path("bytes_quarantined").asLong(),
                r.path("torn_bytes_cut").asLong());
    }

    /** The sum of two brokers' recovery figures for one topic or channel. */
    private static RecoveryStats plus(RecoveryStats a, RecoveryStats b) {
        return new RecoveryStats(
                a.damagedStretches() + b.damagedStretches(),
                a.recordsLost() + b.recordsLost(),
                a.recordsKept() + b.recordsKept(),
                a.bytesQuarantined() + b.bytesQuarantined(),
                a.tornBytesCut() + b.tornBytesCut());
    }

    private void everywhere(String operation, String path, String what) {
        int missing = 0;
        List<String> brokers = brokers(operation);
        for (String address : brokers) {
            HttpResponse<byte[]> response = call(address, "POST", path);
            if (response.statusCode() == 404) {
                missing++;
            } else if (response.statusCode() / 100 != 2) {
                throw error(address, path, response);
            }
        }
        if (missing == brokers.size()) {
            throw new NotFoundException(what + " does not exist on " + brokers);
        }
    }

    private static FerryException error(String address, String path, HttpResponse<byte[]> response) {
        return new FerryException("nsqd HTTP at " + address + " answered " + path + " with " + response.statusCode()
                + " " + new String(response.body(), StandardCharsets.UTF_8));
    }

    @Override
    public void createTopic(String topic) {
        Names.checkTopic(topic);
        everywhere("createTopic", "/topic/create?topic=" + q(topic), "topic " + topic);
    }

    @Override
    public void deleteTopic(String topic) {
        Names.checkTopic(topic);
        everywhere("deleteTopic", "/topic/delete?topic=" + q(topic), "topic " + topic);
    }

    @Override
    public void emptyTopic(String topic) {
        Names.checkTopic(topic);
        everywhere("emptyTopic", "/topic/empty?topic=" + q(topic), "topic " + topic);
    }

    @Override
    public void pauseTopic(String topic) {
        Names.checkTopic(topic);
        everywhere("pauseTopic", "/topic/pause?topic=" + q(topic), "topic " + topic);
    }

    @Override
    public void unpauseTopic(String topic) {
        Names.checkTopic(topic);
        everywhere("unpauseTopic", "/topic/unpause?topic=" + q(topic), "topic " + topic);
    }

    @Override
    public void createChannel(String topic, String channel) {
        Names.checkTopic(topic);
        Names.checkChannel(channel);
        // nsqd creates a channel only in an existing topic
        everywhere("createChannel", "/topic/create?topic=" + q(topic), "topic " + topic);
        everywhere("createChannel", channelPath("create", topic, channel), "channel " + topic + "/" + channel);
    }

    @Override
    public void deleteChannel(String topic, String channel) {
        channelOp("deleteChannel", "delete", topic, channel);
    }

    @Override
    public void emptyChannel(String topic, String channel) {
        channelOp("emptyChannel", "empty", topic, channel);
    }

    @Override
    public void pauseChannel(String topic, String channel) {
        channelOp("pauseChannel", "pause", topic, channel);
    }

    @Override
    public void unpauseChannel(String topic, String channel) {
        channelOp("unpauseChannel", "unpause", topic, channel);
    }

    /**
     * Sets the policy on every broker through Ferry's {@code POST /channel/dead-letter}; a plain nsqd
     * has no such endpoint, which fails with an error saying so.
     */
    @Override
    public void setDeadLetter(String topic, String channel, dev.ferry.DeadLetter policy) {
        Names.checkTopic(topic);
        Names.checkChannel(channel);
        String path = channelPath("dead-letter", topic, channel) + "&max_attempts=" + policy.maxAttempts()
                + (policy.topic() == null ? "" : "&dead_letter_topic=" + q(policy.topic()));
        everywhere("setDeadLetter", path, "channel " + topic + "/" + channel);
    }

    private void channelOp(String operation, String verb, String topic, String channel) {
        Names.checkTopic(topic);
        Names.checkChannel(channel);
        everywhere(operation, channelPath(verb, topic, channel), "channel " + topic + "/" + channel);
    }

    private static String channelPath(String verb, String topic, String channel) {
        return "/channel/" + verb + "?topic=" + q(topic) + "&channel=" + q(channel);
    }
}
