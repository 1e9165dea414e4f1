package dev.ferry.server;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * One flag of {@code ferry server} as the readers around picocli need it, derived from its
 * declaration in {@link ServerFlags}: how Go's syntax takes its value, its key in the option file, what
 * a value in that file must look like, and why Ferry ignores it, if it does.
 *
 * @param option the picocli option
 * @param configKey its key in the option file, or null when the file cannot set it
 * @param ignoredBecause why Ferry does not apply it, or null when Ferry does
 */
record FlagSpec(OptionSpec option, String configKey, String ignoredBecause) {

    /** What a value in the option file must be for a flag. */
    enum FileType {
        /** A TOML boolean, or a string the flag reads ({@code "tcp-https"}, {@code "1"}). */
        BOOLEAN("a boolean"),
        /** A TOML integer, or a string Go reads as one. */
        INTEGER("an integer"),
        /** A string such as {@code "60s"}, or an integer of milliseconds, as nsqd reads it. */
        DURATION("a duration such as \"60s\" (or an integer of milliseconds)"),
        /** An array of numbers, or one string of them separated by commas. */
        NUMBERS("an array of numbers"),
        /** An array of strings, or one string of them separated by commas. */
        STRINGS("an array of strings"),
        /** A string. */
        STRING("a string");

        private final String description;

        FileType(String description) {
            this.description = description;
        }

        /** The expected type in words, for error messages. */
        String description() {
            return description;
        }
    }

    /** The flags of {@code spec}, the command declaring {@link ServerFlags}, in declaration order. */
    static List<FlagSpec> of(CommandSpec spec) {
        List<FlagSpec> flags = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            Field field = option.userObject() instanceof Field f ? f : null;
            String key = null;
            if (!option.usageHelp() && !option.versionHelp() && !annotated(field, ServerFlags.CommandLineOnly.class)) {
                ServerFlags.ConfigKey explicit =
                        field == null ? null : field.getAnnotation(ServerFlags.ConfigKey.class);
                key = explicit != null
                        ? explicit.value()
                        : option.longestName().substring(2).replace('-', '_');
            }
            ServerFlags.Ignored ignored = field == null ? null : field.getAnnotation(ServerFlags.Ignored.class);
            flags.add(new FlagSpec(option, key, ignored == null ? null : ignored.value()));
        }
        return flags;
    }

    private static boolean annotated(Field field, Class<? extends java.lang.annotation.Annotation> type) {
        return field != null && field.isAnnotationPresent(type);
    }

    /** The canonical name, {@code --tcp-address}. */
    String name() {
        return option.longestName();
    }

    /** The flag as {@link GoFlagArgs} reads it. */
    GoFlagArgs.Flag goFlag() {
        GoFlagArgs.Arity arity;
        if (option.arity().max() == 0) {
            arity = GoFlagArgs.Arity.ACTION;
        } else if (option.arity().min() == 0) {
            arity = isBoolean() ? GoFlagArgs.Arity.BOOLEAN : GoFlagArgs.Arity.BOOLEAN_LIKE;
        } else {
            arity = GoFlagArgs.Arity.VALUE;
        }
        return new GoFlagArgs.Flag(name(), arity, option.isMultiValue());
    }

    /** The flags by every name Go may spell them with ({@code tcp-address}, {@code h}), for {@link GoFlagArgs}. */
    static Map<String, GoFlagArgs.Flag> byGoName(List<FlagSpec> flags) {
        Map<String, GoFlagArgs.Flag> byName = new HashMap<>();
        for (FlagSpec f : flags) {
            for (String name : f.option.names()) {
                byName.put(name.replaceFirst("^--?", ""), f.goFlag());
            }
        }
        return byName;
    }

    private boolean isBoolean() {
        return option.type() == boolean.class || option.type() == Boolean.class;
    }

    /** What a value of this flag in the option file must be. */
    FileType fileType() {
        Class<?> type = option.type();
        if (option.arity().min() == 0) {
            return FileType.BOOLEAN;
        }
        if (option.isMultiValue()) {
            return option.auxiliaryTypes()[0] == Double.class ? FileType.NUMBERS : FileType.STRINGS;
        }
        if (type == int.class || type == long.class || type == Integer.class || type == Long.class) {
            return FileType.INTEGER;
        }
        return type == Duration.class ? FileType.DURATION : FileType.STRING;
    }

    /**
     * Checks one value as the flag would read it from the command line, and gives it back as picocli
     * is to be handed it (a boolean as {@code true} or {@code false}).
     *
     * @throws IllegalArgumentException with the converter's message, when the flag would refuse it
     */
    String check(String value) {
        if (isBoolean()) {
            return String.valueOf(GoValues.parseBool(value));
        }
        try {
            for (CommandLine.ITypeConverter<?> converter : option.converters()) {
                converter.convert(value);
            }
        } catch (CommandLine.TypeConversionException | IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalArgumentException(String.valueOf(e), e);
        }
        return value;
    }

    /**
     * The one line that names the ignored flags among {@code given} with their values, and why each is
     * ignored; empty when none is given.
     */
    static Optional<String> ignoredLine(List<FlagSpec> flags, Collection<OptionSpec> given) {
        Set<OptionSpec> seen = new LinkedHashSet<>(given);
        Map<String, List<String>> byReason = new LinkedHashMap<>();
        for (FlagSpec f : flags) {
            if (f.ignoredBecause() != null && seen.contains(f.option())) {
                String value = String.join(",", f.option().originalStringValues());
                byReason.computeIfAbsent(f.ignoredBecause(), r -> new ArrayList<>())
                        .add(f.name() + "=" + value);
            }
        }
        if (byReason.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("ignoring flags Ferry does not apply: "
                + byReason.entrySet().stream()
                        .map(e -> String.join(", ", e.getValue()) + " (" + e.getKey() + ")")
                        .collect(Collectors.joining("; ")));
    }
}
