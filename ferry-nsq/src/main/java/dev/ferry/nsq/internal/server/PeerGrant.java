package dev.ferry.nsq.internal.server;

/**
 * What an already authenticated peer may do, for connections that proved who they are before the
 * V2 protocol started (federation over WebSocket): takes the place of AUTH and the auth service.
 * Implementations are immutable and thread-safe.
 */
public interface PeerGrant {
    /** Whether the peer may run {@code command} (PUB, MPUB, DPUB, SUB) on {@code topic}. */
    boolean allows(String command, String topic);

    /**
     * The text of the {@code E_UNAUTHORIZED} error sent when {@link #allows} said no; the grant also
     * records the refusal (the broker's log).
     */
    String refused(String command, String topic);
}
