package dev.ferry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.FerryException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry rpc METHOD [ARGS...]}: calls a JSON-RPC method of a running broker ({@code POST /rpc}),
 * the arguments as positional string params, and prints the result as JSON (exit 0), or the error's
 * code and message on stderr (exit 1). Like Kamailio's {@code kamcmd mqueue.get_size myq}.
 */
@Command(
        name = "rpc",
        mixinStandardHelpOptions = true,
        description = "Call a JSON-RPC method of a running broker and print its result as JSON.",
        footer = {
            "",
            "Examples:",
            "  ferry rpc mqueue.get_sizes",
            "  ferry rpc mqueue.get_size myq",
            "  ferry rpc mqueue.add myq key value",
            "",
            "The local broker's HTTP address is 127.0.0.1:4151."
        })
final class RpcCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"--http-address", "-http-address"},
            defaultValue = "127.0.0.1:4151",
            paramLabel = "HOST:PORT",
            description = "HTTP address of the broker. Default: the local broker's.")
    private String httpAddress;

    @Option(
            names = "--secret",
            paramLabel = "SECRET",
            description = "Secret sent as Authorization: Bearer, when the broker has an auth service.")
    private String secret;

    @Option(
            names = "--timeout",
            defaultValue = "10s",
            paramLabel = "DURATION",
            converter = GoDuration.class,
            description = "How long to wait for the answer (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Parameters(index = "0", paramLabel = "METHOD", description = "The method (see the examples below).")
    private String method;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "Its params, by position, as strings.")
    private List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        int colon = httpAddress.lastIndexOf(':');
        if (colon <= 0 || colon == httpAddress.length() - 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--http-address must be <addr>:<port>, got \"" + httpAddress + "\"");
        }
        ObjectNode request =
                JsonRpc.JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method);
        args.forEach(request.putArray("params")::add);
        request.put("id", 1);
        URI uri;
        try {
            uri = URI.create("http://" + httpAddress + "/rpc");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--http-address must be <addr>:<port>, got \"" + httpAddress + "\"");
        }
        HttpRequest.Builder http = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString()));
        if (secret != null) {
            http.header("Authorization", "Bearer " + secret);
        }
        HttpResponse<String> response;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build()) {
            response = client.send(http.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new FerryException(
                    "rpc " + method + ": cannot reach the broker's HTTP API at " + httpAddress + ": "
                            + dev.ferry.support.NetworkErrors.reason(e)
                            + "; is ferry server running, and is this its HTTP address (--http-address)?",
                    e);
        }
        if (response.statusCode() != 200) {
            throw new FerryException("rpc " + method + ": HTTP " + response.statusCode() + " " + response.body());
        }
        JsonNode answer;
        try {
            answer = JsonRpc.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new FerryException("rpc " + method + ": the answer is not JSON: " + response.body(), e);
        }
        JsonNode error = answer.path("error");
        if (!error.isMissingNode()) {
            throw new FerryException("rpc " + method + ": error "
                    + error.path("code").asInt() + " " + error.path("message").asText());
        }
        PrintWriter out = spec.commandLine().getOut();
        try {
            out.println(JsonRpc.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer.path("result")));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
        return 0;
    }
}
