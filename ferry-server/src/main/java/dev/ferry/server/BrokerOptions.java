package dev.ferry.server;

import dev.ferry.Bus;
import dev.ferry.nsq.ConnectOptions;
import dev.ferry.nsq.NsqBus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Where a client command ({@code pub}, {@code sub}, {@code tail}, {@code produce}, {@code consume})
 * finds its brokers, as nsq's tools take it: nsqd TCP addresses and lookupd HTTP addresses, each
 * repeatable, the local broker ({@value #LOCAL_BROKER}) when neither is given. A picocli mixin.
 */
final class BrokerOptions {
    /** The broker a command talks to when given no address: {@code ferry server}'s default TCP address. */
    static final String LOCAL_BROKER = "127.0.0.1:4150";

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(
            names = {"--nsqd-tcp-address", "-nsqd-tcp-address"},
            paramLabel = "HOST:PORT",
            description = "TCP address of a broker (ferry server or nsqd); repeatable." + " Default: " + LOCAL_BROKER
                    + " when no lookupd is given.")
    private List<String> nsqdTcpAddresses = new ArrayList<>();

    @Option(
            names = {"--lookupd-http-address", "-lookupd-http-address"},
            paramLabel = "HOST:PORT",
            description = "HTTP address of an nsqlookupd (or a Ferry node) to discover brokers through; repeatable.")
    private List<String> lookupdHttpAddresses = new ArrayList<>();

    /**
     * Connects a bus to the brokers, with {@code tune} applied to the settings.
     *
     * @throws CommandLine.ParameterException (a usage error) naming a malformed address
     */
    Bus connect(UnaryOperator<ConnectOptions.Builder> tune) {
        ConnectOptions.Builder options = ConnectOptions.builder();
        add("--nsqd-tcp-address", nsqdTcpAddresses, options::nsqd);
        add("--lookupd-http-address", lookupdHttpAddresses, options::lookupd);
        if (nsqdTcpAddresses.isEmpty() && lookupdHttpAddresses.isEmpty()) {
            options.nsqd(LOCAL_BROKER);
        }
        return NsqBus.connect(tune.apply(options).build());
    }

    private void add(String flag, List<String> addresses, java.util.function.Consumer<String> to) {
        for (String a : addresses) {
            try {
                to.accept(a);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(
                        mixee.commandLine(), flag + " must be host:port, got \"" + a + "\"", e);
            }
        }
    }

    /** Whether any broker address was given on the command line. */
    boolean given() {
        return !nsqdTcpAddresses.isEmpty() || !lookupdHttpAddresses.isEmpty();
    }

    /** The brokers, for messages: {@code 127.0.0.1:4150} or {@code lookupd 10.0.0.1:4161}. */
    String describe() {
        List<String> parts = new ArrayList<>(nsqdTcpAddresses);
        lookupdHttpAddresses.forEach(a -> parts.add("lookupd " + a));
        return parts.isEmpty() ? LOCAL_BROKER : String.join(", ", parts);
    }
}
