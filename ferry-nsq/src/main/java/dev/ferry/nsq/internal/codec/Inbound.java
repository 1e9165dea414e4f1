package dev.ferry.nsq.internal.codec;

import dev.ferry.spi.MessageIds;
import java.util.List;

/** What {@link CommandDecoder} reads from a client: a command, or why the connection must end. */
public sealed interface Inbound {

    /**
     * A command line, with its body when the command has one.
     *
     * @param name the command, e.g. {@code PUB}
     * @param params the words after the name (split on single spaces, as nsqd does)
     * @param bodySize the body size the client sent, as sent (negative ones too), or {@link #NO_BODY}
     *     for a command without body
     * @param body the body, or null when the command has none or its size was out of range (the
     *     handler then answers with the command's size error and closes the connection)
     */
    record Command(String name, List<String> params, long bodySize, byte[] body) implements Inbound {
        /** The {@code bodySize} of a command without body: outside the range of the wire's int32. */
        public static final long NO_BODY = Long.MIN_VALUE;

        /** Copies the parameter list. */
        public Command {
            params = List.copyOf(params);
        }

        /** Whether the command carries a body whose size was refused. */
        public boolean bodyRefused() {
            return bodySize != NO_BODY && body == null;
        }
    }

    /**
     * A FIN, REQ or TOUCH in its usual form, read from the line's bytes without making strings:
     * {@code FIN id}, {@code TOUCH id} or {@code REQ id timeout}, where the id is 16 lowercase hex
     * digits and nothing else is on the line. Every other form of these commands (an uppercase or
     * malformed id, missing or extra parameters) comes as a {@link Command}, which the handler
     * checks and answers with nsqd's errors; this one holds what {@link #toCommand()} gives back.
     *
     * @param name {@code FIN}, {@code REQ} or {@code TOUCH}
     * @param messageId the id the 16 hex digits spell
     * @param timeout REQ's second parameter as sent (not empty, no space); null for FIN and TOUCH
     */
    record Answer(String name, long messageId, String timeout) implements Inbound {
        /** The id as the client sent it (the decoder took lowercase hex only, so this is exact). */
        public String rawId() {
            return MessageIds.toHex(messageId);
        }

        /** The same command as a {@link Command}, parameters as sent. */
        public Command toCommand() {
            List<String> params = timeout == null ? List.of(rawId()) : List.of(rawId(), timeout);
            return new Command(name, params, Command.NO_BODY, null);
        }
    }

    /** The first four bytes were not {@code "  V2"}; nsqd answers E_BAD_PROTOCOL and closes. */
    record BadMagic(String magic) implements Inbound {}

    /** A command line longer than the decoder accepts; nsqd closes the connection. */
    record LineTooLong(int limit) implements Inbound {}
}
