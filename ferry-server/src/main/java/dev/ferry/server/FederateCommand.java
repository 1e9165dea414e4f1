package dev.ferry.server;

import dev.ferry.Bus;
import dev.ferry.InvalidNameException;
import dev.ferry.Names;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.FederationKey;
import dev.ferry.nsq.NsqBus;
import dev.ferry.nsq.TopicBridge;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry federate}: a topic bridge ({@link TopicBridge}) from one site to another, run until
 * SIGTERM. Each side is an nsqd TCP address ({@code host:port}) or a federation address ({@code
 * ws://host:port/federate}, {@code wss://...}) reached with the key {@code --key} names and whose
 * secret is read from {@code --secret-file} or the {@code FERRY_FEDERATION_SECRET} environment
 * variable, never from the command line.
 */
@Command(
        name = "federate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Forward a topic from one site to a topic at another, at least once: consume a channel at the source"
                    + " and finish each message only once the target acknowledged its publish.",
            "Forwarded messages are marked, so a bridge running the other way does not send them back.",
            "Runs until stopped (SIGTERM, Ctrl-C); a cut link is reconnected with backoff and the bridge resumes"
                    + " where its channel stopped."
        })
final class FederateCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--from",
            required = true,
            paramLabel = "ADDRESS",
            description = "The source broker: host:port (TCP) or ws://host:port/federate, wss://...")
    private String from;

    @Option(
            names = "--from-topic",
            required = true,
            paramLabel = "TOPIC",
            description = "The topic read at the source.")
    private String fromTopic;

    @Option(
            names = "--to",
            required = true,
            paramLabel = "ADDRESS",
            description = "The target broker: host:port (TCP) or ws://host:port/federate, wss://...")
    private String to;

    @Option(
            names = "--to-topic",
            paramLabel = "TOPIC",
            description = "The topic written at the target (default: the source topic).")
    private String toTopic;

    @Option(
            names = "--origin",
            required = true,
            paramLabel = "NAME",
            description = "This source site's name, written in the mark of every forwarded message.")
    private String origin;

    @Option(
            names = "--channel",
            defaultValue = "federate",
            paramLabel = "CHANNEL",
            description = "The source topic's channel the bridge consumes: it keeps the bridge's position.")
    private String channel;

    @Option(
            names = "--max-in-flight",
            defaultValue = "100",
            paramLabel = "N",
            description = "Publishes awaiting the target's acknowledgement at once.")
    private int maxInFlight;

    @Option(
            names = "--key",
            paramLabel = "NAME",
            description = "The name of the federation secret the ws:// or wss:// side accepts.")
    private String key;

    @Option(
            names = "--secret-file",
            paramLabel = "FILE",
            description = "The file holding that secret (default: the FERRY_FEDERATION_SECRET environment variable).")
    private Path secretFile;

    @Option(
            names = "--tls-root-ca-file",
            paramLabel = "FILE",
            description = "PEM certificate(s) of the authority a wss:// side's certificate is checked against"
                    + " (default: the JVM's trusted authorities).")
    private Path caFile;

    @Option(
            names = "--no-mark",
            description = "Forward the bare body, unmarked: only for a one-way bridge, or one whose bridge back marks.")
    private boolean noMark;

    @Override
    public Integer call() throws InterruptedException {
        String target = toTopic == null ? fromTopic : toTopic;
        TopicBridge.Options options = bridgeOptions(target);
        FederationKey federationKey = federationKey();
        SSLContext tls = trust();
        ConnectOptions sourceOptions = side("--from", from, federationKey, tls);
        ConnectOptions sinkOptions = side("--to", to, federationKey, tls);
        Bus source = NsqBus.connect(sourceOptions);
        Bus sink = NsqBus.connect(sinkOptions);
        TopicBridge bridge = TopicBridge.start(source, fromTopic, sink, target, options);
        PrintWriter err = spec.commandLine().getErr();
        err.printf("federate: %s at %s -> %s at %s (channel %s)%n", fromTopic, from, target, to, channel);
        err.flush();
        ServiceRunner.runUntilSigterm(err, "stopping: requeueing what the target has not acknowledged", () -> {
            bridge.close();
            source.close();
            sink.close();
            err.printf("federate: forwarded %d, skipped %d already bridged%n", bridge.forwarded(), bridge.skipped());
        });
        return 0;
    }

    private TopicBridge.Options bridgeOptions(String target) {
        try {
            Names.checkTopic(fromTopic);
            Names.checkTopic(target);
            Names.checkChannel(channel);
            return TopicBridge.Options.named(origin)
                    .withChannel(channel)
                    .withMaxInFlight(maxInFlight)
                    .withMark(!noMark);
        } catch (InvalidNameException | IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** One side's settings: the key for a federation address, the trust for a wss:// one. */
    private ConnectOptions side(String flag, String address, FederationKey federationKey, SSLContext tls) {
        boolean federated = address.startsWith("ws://") || address.startsWith("wss://");
        if (federated && federationKey == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    flag + " " + address
                            + " is a federation address: give --key NAME and --secret-file FILE (or FERRY_FEDERATION_SECRET)");
        }
        try {
            return ConnectOptions.nsqd(address)
                    .security(s -> s.federationKey(federated ? federationKey : null)
                            .tls(address.startsWith("wss://") ? tls : null))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), flag + ": " + e.getMessage(), e);
        }
    }

    /** The key, its secret from the file or the environment; null without --key. */
    private FederationKey federationKey() {
        if (key == null) {
            return null;
        }
        String secret;
        if (secretFile != null) {
            try {
                secret = Files.readString(secretFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--secret-file: cannot read " + secretFile + ": " + e.getMessage(), e);
            }
        } else {
            secret = System.getenv("FERRY_FEDERATION_SECRET");
        }
        if (secret == null || secret.isEmpty()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--key " + key + " needs its secret: --secret-file FILE or FERRY_FEDERATION_SECRET");
        }
        return new FederationKey(key, secret);
    }

    /** A context trusting the authorities of --tls-root-ca-file; null for the JVM's own. */
    private SSLContext trust() {
        if (caFile == null) {
            return null;
        }
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new GeneralSecurityException("no certificate in it");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--tls-root-ca-file: cannot use " + caFile + ": " + e.getMessage(), e);
        }
    }
}
