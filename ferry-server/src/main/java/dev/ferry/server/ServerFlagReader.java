package dev.ferry.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads {@code ferry server}'s command line without picocli: the flags of {@link ServerFlags} in Go's
 * syntax ({@link GoFlagArgs}: {@code -flag value}, {@code --flag=value}, booleans alone or with
 * {@code =}, repeated flags), the option file of {@code --config} under them, each value through the
 * flag's own converter and default, into the same {@link ServerStart} picocli's {@link ServerCommand}
 * makes.
 *
 * <p>Why: picocli builds a model of the command's seventy flags by reflection on every start, and its
 * classes are Java 5 bytecode, which the JVM's AOT cache cannot hold linked; on this path a start
 * links only classes the cache holds. What this reader does not answer it leaves to picocli, so that
 * help and every error keep one wording: {@link #read} gives nothing for {@code --help} and {@code
 * --version}, and throws for any mistake, and the caller then hands the command line to picocli,
 * which reads it again and reports.
 *
 * <p>Not thread-safe in the sense that it reads the option file as it is; each call is independent.
 */
final class ServerFlagReader {
    private ServerFlagReader() {}

    /**
     * Reads {@code args} (the arguments after {@code server}) and checks them as a whole.
     *
     * @param warnings where the option file's warnings go; the caller prints them only when it goes on
     *     with the start, since picocli prints them itself otherwise
     * @return the start, or empty when the command line asks for {@code --help} or {@code --version}
     * @throws IllegalArgumentException when a flag or its value is wrong, in words picocli's path
     *     would not necessarily use: report it by running picocli's path
     */
    static Optional<ServerStart> read(List<String> args, Consumer<String> warnings) {
        ServerFlags values = new ServerFlags();
        Optional<Map<String, List<String>>> given = readInto(args, FlagSpec.of(ServerFlags.class), values, warnings);
        return given.map(g -> ServerStart.check(values, g));
    }

    /**
     * Reads {@code args} (a command's arguments after its name) for the flags declared by the fields
     * of {@code target}, {@code --config}'s file under them, and sets every flag's field: to the values
     * given, else to its default. The same for any command whose flags are nsqd's kind ({@code ferry
     * server}'s {@link ServerFlags}, {@code ferry lookupd}'s {@link LookupdCommand}).
     *
     * @param flags the flags of {@code target}'s class ({@link FlagSpec#of(Class)})
     * @param warnings where the option file's warnings go
     * @return the flags given, by canonical name, with their values as given; empty when the command
     *     line asks for {@code --help} or {@code --version} (then no field is set)
     * @throws IllegalArgumentException when a flag or its value is wrong: report it by running
     *     picocli's path
     */
    static Optional<Map<String, List<String>>> readInto(
            List<String> args, List<FlagSpec> flags, Object target, Consumer<String> warnings) {
        Map<String, List<String>> given = new LinkedHashMap<>();
        for (GoFlagArgs.Arg a : args(args, flags, warnings)) {
            if (a.value() == null) {
                return Optional.empty(); // --help, --version: picocli answers them
            }
            given.computeIfAbsent(a.name(), n -> new ArrayList<>()).add(a.value());
        }
        for (FlagSpec flag : flags) {
            flag.apply(target, given.getOrDefault(flag.name(), List.of()));
        }
        return Optional.of(given);
    }

    /**
     * Reads {@code args} by Go's rules and adds under them the settings of {@code --config FILE}
     * that they do not give (unless they ask for {@code --help} or {@code --version}, which answer
     * without reading the file, as nsqd's do).
     *
     * @param warnings where the file's warnings go, as it is read
     * @return the flags, the file's first, each in canonical form
     * @throws IllegalArgumentException naming what is wrong, in the command line or the file
     */
    static List<GoFlagArgs.Arg> args(List<String> args, List<FlagSpec> flags, Consumer<String> warnings) {
        List<GoFlagArgs.Arg> read = new ArrayList<>(GoFlagArgs.read(args, FlagSpec.byGoName(flags)));
        String config = null;
        Set<String> names = new HashSet<>();
        for (GoFlagArgs.Arg a : read) {
            names.add(a.name());
            if (a.name().equals("--config")) {
                config = a.value();
            }
        }
        boolean action = read.stream().anyMatch(a -> a.value() == null);
        if (config != null && !config.isEmpty() && !action) {
            NsqdConfigFile file = NsqdConfigFile.read(Path.of(config), flags);
            file.warnings().forEach(warnings);
            read.addAll(0, file.argsNotIn(names));
        }
        return read;
    }
}
