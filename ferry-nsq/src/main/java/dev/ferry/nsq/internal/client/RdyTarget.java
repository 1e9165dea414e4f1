package dev.ferry.nsq.internal.client;

/** What {@link RdyDistributor} reads of one connection, and how it sets the connection's RDY. */
interface RdyTarget {
    /** The RDY count last sent. */
    int rdy();

    /** Messages delivered on this connection and not yet answered. */
    int inFlight();

    /** The broker's cap on RDY. */
    int maxRdy();

    /** When the last message arrived (clock millis), or when the connection was made. */
    long lastMessageMillis();

    /** When RDY was last changed (clock millis). */
    long lastRdyChangeMillis();

    /** Sends {@code RDY count} and records it with the time. */
    void sendRdy(int count, long nowMillis);
}
