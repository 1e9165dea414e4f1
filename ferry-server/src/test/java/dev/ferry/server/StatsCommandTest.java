package dev.ferry.server;

import static dev.ferry.testing.Stages.done;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EmbeddedEngineConfig;
import dev.ferry.internal.engine.LocalEngine;
import dev.ferry.nsq.NsqTcpServer;
import dev.ferry.spi.PublishRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code ferry stats} against a real broker's HTTP API. */
class StatsCommandTest {
    @Test
    void shouldPrintATableOfTopicsAndChannels() {
        try (LocalEngine engine = LocalEngine.open(EmbeddedEngineConfig.memory().build());
                NsqTcpServer http = NsqTcpServer.builder(engine).startHttp("127.0.0.1", 0)) {
            done(engine.createChannel("orders", "billing"));
            done(engine.createChannel("orders", "audit"));
            done(engine.setChannelPaused("orders", "audit", true));
            engine.append("orders", List.of(PublishRecord.of(new byte[] {1}), PublishRecord.of(new byte[] {2})))
                    .join();
            StringWriter out = new StringWriter();
            CommandLine cli = Ferry.commandLine();
            cli.setOut(new PrintWriter(out));
            int code = cli.execute("stats", "--nsqd-http-address", "127.0.0.1:" + http.port());
            assertThat(code).isZero();
            List<String> lines = out.toString().lines().toList();
            assertThat(lines.get(0)).startsWith("TOPIC").contains("CHANNEL", "DEPTH", "IN-FLIGHT", "CLIENTS");
            // as nsqd, a topic with channels has handed its messages on: its own depth is 0
            assertThat(lines.get(1)).matches("orders\\s+0\\s+2");
            // MESSAGES counts the two that entered each channel, delivered or not (nsqd's message_count)
            assertThat(lines).anyMatch(l -> l.matches("\\s+audit \\*\\s+2\\s+0\\s+0\\s+2\\s+0\\s+0\\s+0"));
            assertThat(lines).anyMatch(l -> l.matches("\\s+billing\\s+2\\s+0\\s+0\\s+2\\s+0\\s+0\\s+0"));
            assertThat(lines).last().isEqualTo("(* paused)");
        }
    }

    @Test
    void shouldFailWhenTheBrokerCannotBeReached() {
        StringWriter err = new StringWriter();
        CommandLine cli = Ferry.commandLine();
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("stats", "--nsqd-http-address", "127.0.0.1:1");
        assertThat(code).isEqualTo(Ferry.EXIT_FAILURE);
        assertThat(err.toString()).contains("cannot reach the broker's HTTP API at 127.0.0.1:1: connection refused");
    }
}
