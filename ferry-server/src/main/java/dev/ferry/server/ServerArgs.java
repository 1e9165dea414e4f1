package dev.ferry.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Stack;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The picocli preprocessor of {@code ferry server}'s arguments, run once the command is matched and
 * before picocli reads a flag: it reads them by Go's rules ({@link GoFlagArgs}), adds under them the
 * settings of {@code --config FILE} that the command line does not give ({@link NsqdConfigFile}), and
 * hands picocli the lot as {@code --name=value} ({@link ServerFlagReader#args}). So every value, from either place, goes through the
 * same converters. The file's warnings go to the command's error stream as it is read.
 */
final class ServerArgs implements CommandLine.IParameterPreprocessor {
    @Override
    public boolean preprocess(Stack<String> args, CommandSpec spec, ArgSpec argSpec, Map<String, Object> info) {
        List<String> given = new ArrayList<>();
        while (!args.isEmpty()) {
            given.add(args.pop()); // the top of the stack is the next argument
        }
        List<GoFlagArgs.Arg> read;
        try {
            read = ServerFlagReader.args(
                    given, FlagSpec.of(spec), spec.commandLine().getErr()::println);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        spec.commandLine().getErr().flush();
        List<String> tokens =
                new ArrayList<>(read.stream().map(GoFlagArgs.Arg::token).toList());
        Collections.reverse(tokens);
        tokens.forEach(args::push);
        return false;
    }
}
