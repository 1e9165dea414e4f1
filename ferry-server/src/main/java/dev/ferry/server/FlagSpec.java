package dev.ferry.server;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * One flag of {@code ferry server} (or {@code ferry lookupd}) as the readers around picocli need it,
 * derived from its declaration (a field with picocli's {@link Option}, in {@link ServerFlags}): how
 * Go's syntax takes its value, how a value becomes the field's, its key in the option file, what a
 * value in that file must look like, and why Ferry ignores it, if it does.
 *
 * <p>It reads the declaration with plain reflection, not through picocli's model: {@link
 * ServerFlagReader} starts {@code ferry server} from the same declarations without building that
 * model (picocli's classes are Java 5 bytecode, which the JVM's AOT cache cannot hold linked, so
 * building it is most of a start's cost). Immutable; a flag's converter is made anew for each value.
 *
 * @param field the declaring field
 * @param option its picocli annotation
 * @param configKey its key in the option file, or null when the file cannot set it
 * @param ignoredBecause why Ferry does not apply it, or null when Ferry does
 */
record FlagSpec(Field field, Option option, String configKey, String ignoredBecause) {
    /** picocli's value of {@link Option#defaultValue()} when none is given. */
    private static final String NO_DEFAULT = "__no_default_value__";

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

    /**
     * The flags of {@code spec}, in its order; every option of such a command is a field (for {@code
     * ferry server}, of {@link ServerFlags}).
     */
    static List<FlagSpec> of(CommandSpec spec) {
        List<FlagSpec> flags = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            if (!(option.userObject() instanceof Field field)) {
                throw new IllegalStateException("option " + option.longestName() + " is not a field");
            }
            flags.add(of(field));
        }
        return flags;
    }

    /** The flags declared by the fields of {@code type}, in declaration order. */
    static List<FlagSpec> of(Class<?> type) {
        List<FlagSpec> flags = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            if (field.isAnnotationPresent(Option.class)) {
                flags.add(of(field));
            }
        }
        return flags;
    }

    private static FlagSpec of(Field field) {
        Option option = field.getAnnotation(Option.class);
        String key = null;
        if (!option.usageHelp()
                && !option.versionHelp()
                && !field.isAnnotationPresent(ServerFlags.CommandLineOnly.class)) {
            ServerFlags.ConfigKey explicit = field.getAnnotation(ServerFlags.ConfigKey.class);
            key = explicit != null
                    ? explicit.value()
                    : longest(option.names()).substring(2).replace('-', '_');
        }
        ServerFlags.Ignored ignored = field.getAnnotation(ServerFlags.Ignored.class);
        return new FlagSpec(field, option, key, ignored == null ? null : ignored.value());
    }

    /** The longest of {@code names}, the first of equal length, as picocli's {@code longestName}. */
    private static String longest(String[] names) {
        String longest = names[0];
        for (String name : names) {
            if (name.length() > longest.length()) {
                longest = name;
            }
        }
        return longest;
    }

    /** The canonical name, {@code --tcp-address}. */
    String name() {
        return longest(option.names());
    }

    /** The fewest values one occurrence takes: 0 for a boolean, an action, or {@code arity = "0..1"}. */
    private int minArity() {
        String arity = option.arity();
        if (arity.isEmpty()) {
            return isBoolean() ? 0 : 1;
        }
        return Integer.parseInt(arity.contains("..") ? arity.substring(0, arity.indexOf("..")) : arity);
    }

    /** The most values one occurrence takes: 0 for an action such as {@code --help}. */
    private int maxArity() {
        String arity = option.arity();
        if (arity.isEmpty()) {
            return isBoolean() ? 0 : 1;
        }
        String max = arity.contains("..") ? arity.substring(arity.indexOf("..") + 2) : arity;
        return max.equals("*") ? Integer.MAX_VALUE : Integer.parseInt(max);
    }

    /** Whether every occurrence adds a value (a list), rather than the last one counting. */
    boolean isMultiValue() {
        return List.class.isAssignableFrom(field.getType());
    }

    /** The flag as {@link GoFlagArgs} reads it. */
    GoFlagArgs.Flag goFlag() {
        GoFlagArgs.Arity arity;
        if (maxArity() == 0) {
            arity = GoFlagArgs.Arity.ACTION;
        } else if (minArity() == 0) {
            arity = isBoolean() ? GoFlagArgs.Arity.BOOLEAN : GoFlagArgs.Arity.BOOLEAN_LIKE;
        } else {
            arity = GoFlagArgs.Arity.VALUE;
        }
        return new GoFlagArgs.Flag(name(), arity, isMultiValue());
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
        return field.getType() == boolean.class || field.getType() == Boolean.class;
    }

    /** The type of one value: the field's, or a list's element type. */
    private Class<?> valueType() {
        if (isMultiValue() && field.getGenericType() instanceof ParameterizedType list) {
            return (Class<?>) list.getActualTypeArguments()[0];
        }
        return field.getType();
    }

    /** What a value of this flag in the option file must be. */
    FileType fileType() {
        Class<?> type = valueType();
        if (minArity() == 0) {
            return FileType.BOOLEAN;
        }
        if (isMultiValue()) {
            return type == Double.class ? FileType.NUMBERS : FileType.STRINGS;
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
        for (String element : elements(value)) {
            convert(element);
        }
        return value;
    }

    /** A list flag's {@code split} cuts one value into several ({@code 0.99,0.5}); others keep it whole. */
    private List<String> elements(String value) {
        return option.split().isEmpty() ? List.of(value) : List.of(value.split(option.split(), -1));
    }

    /**
     * One value as the field holds it (a list's element): through the flag's converter when it names
     * one, else as picocli converts a string, a boolean or a path.
     *
     * @throws IllegalArgumentException with the converter's message, when the flag refuses it
     */
    Object convert(String value) {
        Class<?>[] converters = option.converter();
        if (converters.length > 0) {
            try {
                Constructor<?> make = converters[0].getDeclaredConstructor();
                make.setAccessible(true);
                return ((CommandLine.ITypeConverter<?>) make.newInstance()).convert(value);
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot make the converter of " + name(), e);
            } catch (Exception e) {
                // picocli's TypeConversionException, or whatever else a converter throws
                throw new IllegalArgumentException(e.getMessage() != null ? e.getMessage() : String.valueOf(e), e);
            }
        }
        Class<?> type = valueType();
        if (type == String.class) {
            return value;
        }
        if (type == boolean.class || type == Boolean.class) {
            return GoValues.parseBool(value);
        }
        if (type == Path.class) {
            return Path.of(value);
        }
        throw new IllegalStateException(name() + " has a type (" + type + ") that needs a converter");
    }

    /**
     * Sets the flag's field in {@code target} to {@code values} as given (each occurrence's, in
     * order; a list flag takes them all, split where it splits, any other the last), or, with none
     * given, to its default value when it declares one.
     *
     * @throws IllegalArgumentException with the converter's message, when the flag refuses a value
     */
    void apply(Object target, List<String> values) {
        List<String> texts = values;
        if (values.isEmpty()) {
            if (option.defaultValue().equals(NO_DEFAULT)) {
                return; // the field keeps its initial value, as picocli leaves it
            }
            texts = List.of(option.defaultValue());
        }
        Object value;
        if (isMultiValue()) {
            List<Object> list = new ArrayList<>();
            for (String text : texts) {
                for (String element : elements(text)) {
                    list.add(convert(element));
                }
            }
            value = list;
        } else {
            value = convert(texts.getLast());
        }
        try {
            field.setAccessible(true);
            field.set(target, value);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot set " + name(), e);
        }
    }

    /**
     * The one line that names the ignored flags among {@code given} (canonical names, with the values
     * as given) with their values, and why each is ignored; empty when none is given.
     */
    static Optional<String> ignoredLine(List<FlagSpec> flags, Map<String, List<String>> given) {
        Map<String, List<String>> byReason = new LinkedHashMap<>();
        for (FlagSpec f : flags) {
            List<String> values = given.get(f.name());
            if (f.ignoredBecause() != null && values != null) {
                byReason.computeIfAbsent(f.ignoredBecause(), r -> new ArrayList<>())
                        .add(f.name() + "=" + String.join(",", values));
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

    /** The flags a picocli parse matched, by canonical name, with their values as given. */
    static Map<String, List<String>> given(CommandLine.ParseResult parsed) {
        Map<String, List<String>> given = new LinkedHashMap<>();
        for (OptionSpec option : parsed.matchedOptions()) {
            given.put(option.longestName(), List.copyOf(option.originalStringValues()));
        }
        return given;
    }
}
