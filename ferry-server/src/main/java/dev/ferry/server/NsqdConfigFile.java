package dev.ferry.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nsqd's option file, read for {@code ferry server --config FILE}: TOML whose keys are the flag names
 * with {@code _} for {@code -} ({@code msg_timeout = "60s"}), a few named otherwise ({@code id},
 * {@code nsqlookupd_tcp_addresses}, {@code auth_http_addresses},
 * {@code e2e_processing_latency_percentiles}), with Ferry's own settings beside nsqd's
 * ({@code sync = "always"}).
 *
 * <p>nsqd's rules: a flag given on the command line wins over the file, whatever the file says; a
 * value of the wrong type stops the start. A value may also be written as nsqd accepts it: a duration
 * as an integer of milliseconds, a list as one string separated by commas, a boolean or an integer as
 * a string. nsqd ignores a key it does not know without a word; Ferry ignores it too, so that a file
 * written for nsqd keeps working, but warns, since it is most likely a typing error.
 */
final class NsqdConfigFile {
    private static final TomlMapper TOML = new TomlMapper();

    /**
     * A key set to a bare 19-digit integer. jackson-dataformat-toml 2.21 misreads those without a
     * word (FasterXML/jackson-dataformats-text#663: {@code 1000000000000000000} comes out as 0), so
     * the file is refused rather than read wrong.
     */
    private static final Pattern NINETEEN_DIGITS =
            Pattern.compile("(?m)^\\s*([A-Za-z0-9_-]+)\\s*=\\s*[+-]?([1-9](?:_?[0-9]){18})\\s*(?:#.*)?$");

    private final Map<FlagSpec, List<String>> values;
    private final List<String> warnings;

    private NsqdConfigFile(Map<FlagSpec, List<String>> values, List<String> warnings) {
        this.values = values;
        this.warnings = warnings;
    }

    /**
     * Reads and checks the file at {@code path} against {@code flags}.
     *
     * @throws IllegalArgumentException naming the file, and the key when one is wrong: a missing or
     *     unreadable file, invalid TOML, a value of the wrong type or one the flag refuses
     */
    static NsqdConfigFile read(Path path, List<FlagSpec> flags) {
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read --config " + path + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --config " + path + ": " + e, e);
        }
        Matcher big = NINETEEN_DIGITS.matcher(text);
        if (big.find()) {
            throw new IllegalArgumentException(path + ": " + big.group(1) + ": write an integer of 19 digits as a"
                    + " string (\"" + big.group(2) + "\"): the TOML reader misreads it bare");
        }
        JsonNode root;
        try {
            root = TOML.readTree(text);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            throw new IllegalArgumentException(path + ": not valid TOML: " + e.getOriginalMessage()
                    + (at == null || at.getLineNr() < 0 ? "" : " (line " + at.getLineNr() + ")"));
        }
        Map<String, FlagSpec> byKey = new LinkedHashMap<>();
        flags.stream().filter(f -> f.configKey() != null).forEach(f -> byKey.put(f.configKey(), f));
        Map<FlagSpec, List<String>> values = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String key = entry.getKey();
            FlagSpec flag = byKey.get(key);
            if (flag == null) {
                warnings.add(path + ": ignoring unknown key \"" + key + "\"" + suggestion(key, flags));
            } else {
                values.put(flag, values(path, key, flag, entry.getValue()));
            }
        }
        return new NsqdConfigFile(values, List.copyOf(warnings));
    }

    /** The file's values as flags, leaving out those in {@code given} (the command line's): they win. */
    List<GoFlagArgs.Arg> argsNotIn(Set<String> given) {
        List<GoFlagArgs.Arg> args = new ArrayList<>();
        values.forEach((flag, list) -> {
            if (!given.contains(flag.name())) {
                list.forEach(v -> args.add(new GoFlagArgs.Arg(flag.name(), v)));
            }
        });
        return args;
    }

    /** One line for each key of the file that is ignored, naming the file and the key. */
    List<String> warnings() {
        return warnings;
    }

    private static List<String> values(Path path, String key, FlagSpec flag, JsonNode node) {
        FlagSpec.FileType type = flag.fileType();
        List<String> raw = switch (type) {
            case BOOLEAN -> node.isBoolean() || node.isTextual() ? List.of(node.asText()) : null;
            case INTEGER -> node.isIntegralNumber() || node.isTextual() ? List.of(node.asText()) : null;
            case DURATION ->
                node.isTextual()
                        ? List.of(node.asText())
                        : node.isIntegralNumber() ? List.of(node.asText() + "ms") : null;
            case STRING -> node.isTextual() ? List.of(node.asText()) : null;
            case NUMBERS -> elements(node, JsonNode::isNumber);
            case STRINGS -> elements(node, JsonNode::isTextual);
        };
        if (raw == null) {
            throw new IllegalArgumentException(
                    path + ": " + key + " must be " + type.description() + ", got " + describe(node));
        }
        List<String> checked = new ArrayList<>();
        for (String value : raw) {
            try {
                checked.add(flag.check(value));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(path + ": " + key + ": " + e.getMessage(), e);
            }
        }
        return checked;
    }

    /** An array's elements when each passes {@code test}, or a string's parts between commas; else null. */
    private static List<String> elements(JsonNode node, java.util.function.Predicate<JsonNode> test) {
        if (node.isTextual()) {
            return Arrays.stream(node.asText().split(",", -1)).map(String::trim).toList();
        }
        if (!node.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (JsonNode element : node) {
            if (!test.test(element)) {
                return null;
            }
            out.add(element.asText());
        }
        return out;
    }

    private static String describe(JsonNode node) {
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isIntegralNumber()) {
            return "an integer";
        }
        if (node.isNumber()) {
            return "a float";
        }
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isArray()) {
            return "an array (or one of the wrong elements)";
        }
        return node.isObject() ? "a table" : node.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    /** Names the key meant, when {@code key} is a flag's name in another spelling ({@code node_id}). */
    private static String suggestion(String key, List<FlagSpec> flags) {
        String spelled = key.replace('-', '_').toLowerCase(Locale.ROOT);
        for (FlagSpec f : flags) {
            String underscored = f.name().substring(2).replace('-', '_');
            boolean meant = spelled.equals(underscored)
                    || spelled.equals(underscored + (underscored.endsWith("s") ? "es" : "s"))
                    || (f.configKey() != null && spelled.equals(f.configKey()));
            if (meant) {
                return f.configKey() == null
                        ? " (" + f.name() + " is a command-line flag only)"
                        : " (did you mean " + f.configKey() + "?)";
            }
        }
        return "";
    }
}
