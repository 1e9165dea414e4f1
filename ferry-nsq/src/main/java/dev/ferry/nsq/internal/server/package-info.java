/**
 * The server side of NSQ's TCP protocol V2 over any {@link dev.ferry.spi.Engine}. Internal: not for
 * use outside Ferry.
 *
 * <p>One {@code V2Connection} per client reads the commands in order and keeps nsqd's client state;
 * the jobs of a connection are each in a class of their own: {@code IdentifyNegotiation} (IDENTIFY,
 * the negotiated settings, the TLS and compression upgrades), {@code AuthSession} (AUTH and the
 * permission checks), {@code PublishCommands} (PUB, MPUB, DPUB), {@code DeliveryWindow} (RDY, the
 * messages in flight, the claim loop, FIN, REQ, TOUCH) and {@code Heartbeats}. All of them run on
 * the connection's event loop and never wait for the engine.
 */
package dev.ferry.nsq.internal.server;
