package dev.ferry.server;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * A picocli converter of a flag whose values are an enum's constants, spelled in lower case with
 * {@code -} for {@code _} ({@code DROP_OLDEST} is {@code drop-oldest}), in any case. The subclasses
 * name the enum.
 */
abstract class EnumFlag<E extends Enum<E>> implements CommandLine.ITypeConverter<E> {
    private final Class<E> type;

    EnumFlag(Class<E> type) {
        this.type = type;
    }

    /** The spelling of {@code value} on the command line. */
    static String spelling(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    public E convert(String text) {
        for (E e : type.getEnumConstants()) {
            if (spelling(e).equalsIgnoreCase(text)) {
                return e;
            }
        }
        throw new CommandLine.TypeConversionException("\"" + text + "\" is not one of "
                + Arrays.stream(type.getEnumConstants()).map(EnumFlag::spelling).collect(Collectors.joining(", ")));
    }
}
