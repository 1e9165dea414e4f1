package dev.ferry.nsq.internal.codec;

import java.util.List;

/**
 * A command a client sends over NSQ's TCP protocol V2, as {@link CommandEncoder} lays it out. Body
 * arrays are not copied; do not modify them after writing the command.
 */
public sealed interface ClientCommand {
    /** {@code IDENTIFY} with its JSON body. */
    record Identify(byte[] json) implements ClientCommand {}

    /** {@code AUTH} with the secret. */
    record Auth(byte[] secret) implements ClientCommand {}

    /** {@code SUB <topic> <channel>}. */
    record Sub(String topic, String channel) implements ClientCommand {}

    /** {@code RDY <count>}. */
    record Rdy(int count) implements ClientCommand {}

    /** {@code FIN <id>}. */
    record Fin(String id) implements ClientCommand {}

    /** {@code REQ <id> <delayMillis>}. */
    record Req(String id, long delayMillis) implements ClientCommand {}

    /** {@code TOUCH <id>}. */
    record Touch(String id) implements ClientCommand {}

    /** {@code PUB <topic>} with one body. */
    record Pub(String topic, byte[] body) implements ClientCommand {}

    /** {@code MPUB <topic>} with several bodies. */
    record Mpub(String topic, List<byte[]> bodies) implements ClientCommand {}

    /** {@code DPUB <topic> <deferMillis>} with one body. */
    record Dpub(String topic, long deferMillis, byte[] body) implements ClientCommand {}

    /** {@code NOP}, the answer to a heartbeat. */
    record Nop() implements ClientCommand {}

    /** {@code CLS}: the client is about to close; the server stops sending. */
    record Cls() implements ClientCommand {}

    /** The one NOP. */
    Nop NOP = new Nop();

    /** The one CLS. */
    Cls CLS = new Cls();
}
