package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Bus;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.FederationKey;
import dev.ferry.nsq.FederationSecret;
import dev.ferry.nsq.FederationSettings;
import dev.ferry.nsq.NsqBus;
import dev.ferry.nsq.TopicBridge;
import dev.ferry.nsq.testing.FederatedSite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry federate} between two brokers, and {@code ferry server --federation-secrets}. */
class FederateCommandTest {
    private static final String SECRET = "federate-cli-secret-0123456789";
    private static final FederationSettings SETTINGS = FederationSettings.of(
            List.of(new FederationSecret("peer", SECRET, FederationSecret.Access.READ_WRITE, List.of("orders*"))));

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    private <T extends AutoCloseable> T opened(T c) {
        opened.add(c);
        return c;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    @Test
    void shouldBridgeATopicToAnotherSiteUntilSigterm() throws Exception {
        FederatedSite a =
                opened(new FederatedSite(Files.createDirectories(dir.resolve("a")), Clock.systemUTC(), SETTINGS));
        FederatedSite b =
                opened(new FederatedSite(Files.createDirectories(dir.resolve("b")), Clock.systemUTC(), SETTINGS));
        Path secretFile = Files.writeString(dir.resolve("secret"), SECRET + "\n");
        Bus atB = opened(NsqBus.connect(ConnectOptions.nsqd(b.tcpAddress()).build()));
        Set<String> got = ConcurrentHashMap.newKeySet();
        opened(atB.subscribe(
                "orders.in",
                "observer",
                m -> got.add(new String(TopicBridge.unwrap(m.body()), StandardCharsets.UTF_8))));
        Bus atA = opened(NsqBus.connect(ConnectOptions.nsqd(a.tcpAddress()).build()));
        for (int i = 0; i < 100; i++) {
            atA.publish("orders", ("o" + i).getBytes(StandardCharsets.UTF_8));
        }
        Child bridge = opened(Child.start(
                dir.resolve("federate.out"),
                "federate",
                "--from",
                a.tcpAddress(),
                "--from-topic",
                "orders",
                "--to",
                b.url(),
                "--to-topic",
                "orders.in",
                "--origin",
                "site-a",
                "--key",
                "peer",
                "--secret-file",
                secretFile.toString()));
        await().atMost(Duration.ofSeconds(60)).until(() -> got.size() == 100);
        assertThat(bridge.stop()).isZero();
        assertThat(bridge.lines()).anyMatch(l -> l.contains("federate: orders at " + a.tcpAddress()));
        assertThat(bridge.lines()).anyMatch(l -> l.contains("federate: forwarded 100,"));
        // the secret never reaches the output
        assertThat(bridge.lines()).noneMatch(l -> l.contains(SECRET));
    }

    @Test
    void shouldAskForTheKeyOfAFederationAddress() {
        CliBroker.Run run = CliBroker.execute(
                "federate",
                "--from",
                "127.0.0.1:4150",
                "--from-topic",
                "t",
                "--to",
                "ws://127.0.0.1:4151/federate",
                "--origin",
                "a");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--to ws://127.0.0.1:4151/federate is a federation address: give --key");
    }

    @Test
    void shouldRefuseAFederationSecretsFileWithABadLine() throws Exception {
        Path file = Files.writeString(dir.resolve("secrets"), "# name access patterns secret\npeer sometimes * x\n");
        CliBroker.Run run =
                CliBroker.execute("server", "--data-path", dir.toString(), "--federation-secrets", file.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--federation-secrets: " + file + " line 2: access must be read, write or rw");
    }

    @Test
    void shouldServeFederationWithTheSecretsOfTheFlag() throws Exception {
        Path file = Files.writeString(dir.resolve("secrets"), "peer rw orders* " + SECRET + "\n");
        FerryProcess server = opened(FerryProcess.start(
                "server",
                "--tcp-address=127.0.0.1:0",
                "--http-address=127.0.0.1:0",
                "--data-path",
                Files.createDirectories(dir.resolve("data")).toString(),
                "--federation-secrets",
                file.toString()));
        await().untilAsserted(() -> assertThat(server.lines())
                .anyMatch(l -> l.contains("federation: /federate on the HTTP port, 1 secret(s)")));
        Bus bus = opened(NsqBus.connect(ConnectOptions.nsqd("ws://127.0.0.1:" + server.httpPort() + "/federate")
                .security(s -> s.federationKey(new FederationKey("peer", SECRET)))
                .build()));
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        opened(bus.subscribe("orders", "c", m -> got.add(new String(m.body(), StandardCharsets.UTF_8))));
        bus.publish("orders", "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(got.poll(20, TimeUnit.SECONDS)).isEqualTo("hello");
    }

    /** A {@code ferry} command in a JVM of its own that listens on nothing, its output in a file. */
    private static final class Child implements AutoCloseable {
        private final Process process;
        private final Path output;

        private Child(Process process, Path output) {
            this.process = process;
            this.output = output;
        }

        static Child start(Path output, String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    ProcessHandle.current().info().command().orElseThrow(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    Ferry.class.getName()));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            return new Child(process, output);
        }

        List<String> lines() throws IOException {
            return Files.readAllLines(output, StandardCharsets.UTF_8);
        }

        /** SIGTERM, then the exit code. */
        int stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("did not stop within 30 s of SIGTERM");
            }
            return process.exitValue();
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                stop();
            }
        }
    }
}
