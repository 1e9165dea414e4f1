package dev.ferry.mqueue;

import dev.ferry.kamailio.internal.AttributeList;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The definition of one memory queue: its name, its size limit, whether it is kept in a database
 * across restarts, and what adding a key already present does. Written as Kamailio's {@code
 * mqueue} parameter: {@code name=myq;size=20;dbmode=1;addmode=0} (see {@link #parse}).
 *
 * <p>Immutable.
 *
 * @param name the queue's name; with a database mode other than {@link DbMode#NONE} it is also the
 *     table's name, so it must then be an SQL identifier ({@code [A-Za-z_][A-Za-z0-9_]*}, at most 63
 *     characters)
 * @param size the most items the queue holds: an add that goes over it drops the oldest item; zero
 *     or negative means unbounded
 * @param dbMode when the queue is loaded from and saved to its table
 * @param addMode what an add with a key already in the queue does
 */
public record MemoryQueueDefinition(String name, int size, DbMode dbMode, AddMode addMode) {
    private static final Set<String> ATTRIBUTES = Set.of("name", "size", "dbmode", "addmode");
    private static final Pattern SQL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    /** When a queue touches its table: Kamailio's {@code dbmode} 0 to 3. */
    public enum DbMode {
        /** 0: never. */
        NONE,
        /** 1: load the table's rows at start, save the queue's items at stop. */
        LOAD_AND_SAVE,
        /** 2: load at start only. */
        LOAD,
        /** 3: save at stop only. */
        SAVE;

        /** Kamailio's number for this mode. */
        public int code() {
            return ordinal();
        }

        /** Whether the queue is loaded from its table at start. */
        public boolean loads() {
            return this == LOAD_AND_SAVE || this == LOAD;
        }

        /** Whether the queue is saved to its table at stop. */
        public boolean saves() {
            return this == LOAD_AND_SAVE || this == SAVE;
        }

        /**
         * The mode with Kamailio's number {@code code}.
         *
         * @throws IllegalArgumentException unless 0 to 3
         */
        public static DbMode ofCode(int code) {
            if (code < 0 || code > 3) {
                throw new IllegalArgumentException("dbmode must be 0, 1, 2 or 3, got " + code);
            }
            return values()[code];
        }
    }

    /** What an add does when the queue already holds an item with the same key: Kamailio's {@code addmode}. */
    public enum AddMode {
        /** 0: append anyway; keys may repeat. */
        APPEND,
        /** 1: keep the item already there; the add does nothing and still succeeds. */
        KEEP_EXISTING,
        /** 2: remove the item already there and append the new one at the tail. */
        REPLACE;

        /** Kamailio's number for this mode. */
        public int code() {
            return ordinal();
        }

        /**
         * The mode with Kamailio's number {@code code}.
         *
         * @throws IllegalArgumentException unless 0 to 2
         */
        public static AddMode ofCode(int code) {
            if (code < 0 || code > 2) {
                throw new IllegalArgumentException("addmode must be 0, 1 or 2, got " + code);
            }
            return values()[code];
        }
    }

    /**
     * Validates the definition.
     *
     * @throws IllegalArgumentException for an empty name, or a name that cannot be a table's with a
     *     database mode
     */
    public MemoryQueueDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dbMode, "dbMode");
        Objects.requireNonNull(addMode, "addMode");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("memory queue name must not be empty");
        }
        if (dbMode != DbMode.NONE && !SQL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("memory queue \"" + name + "\" has dbmode " + dbMode.code()
                    + ", so its name is a table name and must match " + SQL_NAME.pattern());
        }
        if (size < 0) {
            size = 0;
        }
    }

    /** An unbounded queue without a table, whose adds always append. */
    public static MemoryQueueDefinition of(String name) {
        return new MemoryQueueDefinition(name, 0, DbMode.NONE, AddMode.APPEND);
    }

    /**
     * Parses Kamailio's syntax: {@code name=..;size=..;dbmode=..;addmode=..}. {@code name} is
     * required; the others default to 0 (unbounded, no table, append). Blanks around names and
     * values and a trailing {@code ;} are allowed.
     *
     * @throws IllegalArgumentException naming the definition and what is wrong with it: an unknown
     *     or repeated attribute, a missing name, a value that is not an integer or out of range
     */
    public static MemoryQueueDefinition parse(String definition) {
        AttributeList attributes = AttributeList.parse("memory queue", definition, ATTRIBUTES);
        String name = attributes.get("name");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("memory queue definition \"" + definition + "\" has no name");
        }
        try {
            return new MemoryQueueDefinition(
                    name,
                    attributes.getInt("size", 0),
                    DbMode.ofCode(attributes.getInt("dbmode", 0)),
                    AddMode.ofCode(attributes.getInt("addmode", 0)));
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("definition")) {
                throw new IllegalArgumentException("memory queue " + e.getMessage(), e);
            }
            throw new IllegalArgumentException("memory queue definition \"" + definition + "\": " + e.getMessage(), e);
        }
    }

    /** Whether adds beyond {@link #size()} drop the oldest item. */
    public boolean bounded() {
        return size > 0;
    }

    /** A copy with another size limit (0: unbounded). */
    public MemoryQueueDefinition withSize(int value) {
        return new MemoryQueueDefinition(name, value, dbMode, addMode);
    }

    /** A copy with another database mode. */
    public MemoryQueueDefinition withDbMode(DbMode value) {
        return new MemoryQueueDefinition(name, size, value, addMode);
    }

    /** A copy with another add mode. */
    public MemoryQueueDefinition withAddMode(AddMode value) {
        return new MemoryQueueDefinition(name, size, dbMode, value);
    }

    /** The definition in Kamailio's syntax, which {@link #parse} reads back. */
    public String toDefinition() {
        return "name=" + name + ";size=" + size + ";dbmode=" + dbMode.code() + ";addmode=" + addMode.code();
    }
}
