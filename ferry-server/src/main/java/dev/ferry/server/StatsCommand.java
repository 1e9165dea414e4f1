package dev.ferry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry stats}: a readable table of a broker's topics and channels, from its {@code /stats}. */
@Command(
        name = "stats",
        mixinStandardHelpOptions = true,
        description = "Show the topics and channels of brokers (Ferry or nsqd) as a table, from their /stats.",
        footer = {"", "The local broker's HTTP address is 127.0.0.1:4151."})
final class StatsCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"--nsqd-http-address", "-nsqd-http-address"},
            paramLabel = "HOST:PORT",
            description = "HTTP address of a broker; repeatable. Default: the local broker's.")
    private List<String> httpAddresses = new ArrayList<>();

    @Option(
            names = {"--topic", "-topic"},
            description = "Only this topic.")
    private String topic;

    @Override
    public Integer call() throws Exception {
        List<String> addresses = httpAddresses.isEmpty() ? List.of("127.0.0.1:4151") : httpAddresses;
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        PrintWriter out = spec.commandLine().getOut();
        boolean failed = false;
        for (String address : addresses) {
            try {
                HostPort.parse("--nsqd-http-address", address);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            String query = "format=json&include_clients=false&include_mem=false"
                    + (topic == null ? "" : "&topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8));
            HttpResponse<String> response;
            try {
                response = http.send(
                        HttpRequest.newBuilder(URI.create("http://" + address + "/stats?" + query))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                spec.commandLine()
                        .getErr()
                        .println("ferry stats: cannot reach the broker's HTTP API at " + address + ": "
                                + dev.ferry.support.NetworkErrors.reason(e)
                                + "; is it running, and is this its HTTP address (--nsqd-http-address)?");
                failed = true;
                continue;
            }
            if (response.statusCode() != 200) {
                spec.commandLine()
                        .getErr()
                        .println("ferry stats: " + address + " answered " + response.statusCode() + " "
                                + response.body());
                failed = true;
                continue;
            }
            if (addresses.size() > 1) {
                out.println("== " + address);
            }
            out.print(table(JSON.readTree(response.body())));
            out.flush();
        }
        return failed ? Ferry.EXIT_FAILURE : 0;
    }

    /** The table: one row per topic, then one per channel under it; {@code *} marks what is paused. */
    static String table(JsonNode stats) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {
            "TOPIC", "CHANNEL", "DEPTH", "IN-FLIGHT", "DEFERRED", "MESSAGES", "REQUEUED", "TIMED-OUT", "CLIENTS"
        });
        for (JsonNode t : stats.path("topics")) {
            String name = t.path("topic_name").asText() + (t.path("paused").asBoolean() ? " *" : "");
            rows.add(new String[] {name, "", num(t, "depth"), "", "", num(t, "message_count"), "", "", ""});
            for (JsonNode c : t.path("channels")) {
                rows.add(new String[] {
                    "",
                    c.path("channel_name").asText() + (c.path("paused").asBoolean() ? " *" : ""),
                    num(c, "depth"),
                    num(c, "in_flight_count"),
                    num(c, "deferred_count"),
                    num(c, "message_count"),
                    num(c, "requeue_count"),
                    num(c, "timeout_count"),
                    num(c, "client_count")
                });
            }
        }
        if (rows.size() == 1) {
            return "no topics\n";
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                // names to the left, numbers to the right
                String cell = i < 2 ? pad(row[i], widths[i], false) : pad(row[i], widths[i], true);
                line.append(cell).append(i < row.length - 1 ? "  " : "");
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        if (out.indexOf(" *") >= 0) {
            out.append("(* paused)\n");
        }
        return out.toString();
    }

    private static String num(JsonNode node, String field) {
        return String.format(java.util.Locale.ROOT, "%,d", node.path(field).asLong());
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }
}
