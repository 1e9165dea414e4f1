package dev.ferry.server;

import dev.ferry.InvalidNameException;
import dev.ferry.Names;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What the client commands ({@code pub}, {@code sub}, {@code tail}, {@code produce}, {@code consume},
 * {@code query}) share: their picocli spec, where their brokers are ({@link BrokerOptions}) and how
 * they report a usage error. picocli injects the fields of this class as it does a subclass's own.
 */
abstract class ClientCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandSpec spec;

    @Mixin
    BrokerOptions broker;

    /** A usage error of this command: picocli prints {@code message} and the usage, and exits 2. */
    final CommandLine.ParameterException usageError(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /**
     * Checks a topic name given on the command line.
     *
     * @throws CommandLine.ParameterException (a usage error) saying what is wrong with it
     */
    final void checkTopic(String topic) {
        try {
            Names.checkTopic(topic);
        } catch (InvalidNameException e) {
            throw usageError(e.getMessage());
        }
    }
}
