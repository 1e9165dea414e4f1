package dev.ferry.async;

import dev.ferry.kamailio.internal.AttributeList;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Set;

/**
 * A group of async workers, written as Kamailio's {@code async_workers_group}: {@code
 * name=abc;workers=4;nonblock=0;usleep=0} (see {@link #parse}). Any idle worker of the group takes
 * the next task from the group's bounded queue.
 *
 * <p>Immutable.
 *
 * @param name the group's name; {@code default} is the group of timed routes, sleeps and the tasks
 *     that name no group
 * @param workers how many threads run the group's tasks (at least 1)
 * @param nonblock when the group's queue is full: {@code false} blocks the caller until there is
 *     room, {@code true} rejects the task at once
 * @param pause the pause each worker takes before taking each task (Kamailio's {@code usleep}, in
 *     microseconds there); {@link Duration#ZERO} for none
 */
public record AsyncGroupDefinition(String name, int workers, boolean nonblock, Duration pause) {
    private static final Set<String> ATTRIBUTES = Set.of("name", "workers", "nonblock", "usleep");

    /** The name of the default group. */
    public static final String DEFAULT = "default";

    /**
     * Validates the definition.
     *
     * @throws IllegalArgumentException for an empty name, fewer than one worker or a negative pause
     */
    public AsyncGroupDefinition {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("async group name must not be empty");
        }
        if (workers < 1) {
            throw new IllegalArgumentException(
                    "async group \"" + name + "\": workers must be at least 1, got " + workers);
        }
        Objects.requireNonNull(pause, "pause");
        if (pause.isNegative()) {
            throw new IllegalArgumentException(
                    "async group \"" + name + "\": the pause (usleep) must not be negative, got " + pause);
        }
    }

    /**
     * Parses Kamailio's syntax: {@code name=..;workers=..;nonblock=0|1;usleep=..}. {@code name} and
     * {@code workers} are required.
     *
     * @throws IllegalArgumentException naming the definition and what is wrong with it
     */
    public static AsyncGroupDefinition parse(String definition) {
        AttributeList attributes = AttributeList.parse("async group", definition, ATTRIBUTES);
        String name = attributes.get("name");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("async group definition \"" + definition + "\" has no name");
        }
        if (attributes.get("workers") == null) {
            throw new IllegalArgumentException("async group definition \"" + definition + "\" has no workers");
        }
        try {
            int nonblock = attributes.getInt("nonblock", 0);
            if (nonblock != 0 && nonblock != 1) {
                throw new IllegalArgumentException("nonblock must be 0 or 1, got " + nonblock);
            }
            return new AsyncGroupDefinition(
                    name,
                    attributes.getInt("workers", 1),
                    nonblock == 1,
                    Duration.of(attributes.getInt("usleep", 0), ChronoUnit.MICROS));
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw new IllegalArgumentException(
                    message.startsWith("definition")
                            ? "async group " + message
                            : "async group definition \"" + definition + "\": " + message,
                    e);
        }
    }
}
