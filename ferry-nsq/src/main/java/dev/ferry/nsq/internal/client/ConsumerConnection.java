package dev.ferry.nsq.internal.client;

import dev.ferry.nsq.internal.codec.ClientCommand;
import dev.ferry.nsq.internal.codec.Frame;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A subscription's connection to one broker, with what RDY distribution needs: the RDY sent, the
 * messages in flight, when the last message came. Listens to its {@link ClientConnection} and hands
 * messages to the subscription.
 *
 * <p>Messages finished on receipt (ack mode IMMEDIATE) keep their in-flight slot until their handler
 * returns, but nsqd forgets them at FIN and would fill the slot again. So the RDY on the wire is the
 * connection's RDY less the messages it holds that way ({@link #finishHeld}, {@link #releaseHeld}):
 * RDY goes down before the FIN leaves and back up when the handler returns.
 *
 * <p>Thread-safe: RDY changes are made under the subscription's lock, in-flight counts from any
 * thread; what goes on the wire as RDY is decided under this object's lock, so that RDY commands
 * leave in the order their values were computed.
 */
final class ConsumerConnection implements RdyTarget, ClientConnection.Listener {
    private final ConsumerSubscription subscription;
    private final String address;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile ClientConnection connection;
    private volatile int rdy;
    /** Finished on receipt, handler still running (guarded by this). */
    private int held;
    /** The RDY count last written (guarded by this); nsqd starts a connection at 0. */
    private int wireRdy;

    private volatile long lastMessageMillis;
    private volatile long lastRdyChangeMillis;

    ConsumerConnection(ConsumerSubscription subscription, String address, long nowMillis) {
        this.subscription = subscription;
        this.address = address;
        this.lastMessageMillis = nowMillis;
        this.lastRdyChangeMillis = nowMillis;
    }

    /** Called once the connection is subscribed. */
    void attach(ClientConnection connection) {
        this.connection = connection;
    }

    ClientConnection connection() {
        return connection;
    }

    String address() {
        return address;
    }

    boolean isOpen() {
        ClientConnection c = connection;
        return c != null && c.isOpen();
    }

    /** Sends a FIN, REQ or TOUCH; dropped when the connection is gone (the broker redelivers). */
    void send(ClientCommand command) {
        ClientConnection c = connection;
        if (c != null) {
            c.send(command);
        }
    }

    void delivered(long nowMillis) {
        inFlight.incrementAndGet();
        lastMessageMillis = nowMillis;
    }

    void released() {
        inFlight.decrementAndGet();
    }

    @Override
    public int rdy() {
        return rdy;
    }

    @Override
    public int inFlight() {
        return Math.max(0, inFlight.get());
    }

    @Override
    public int maxRdy() {
        ClientConnection c = connection;
        return c == null ? 2500 : c.maxRdyCount();
    }

    @Override
    public long lastMessageMillis() {
        return lastMessageMillis;
    }

    @Override
    public long lastRdyChangeMillis() {
        return lastRdyChangeMillis;
    }

    @Override
    public void sendRdy(int count, long nowMillis) {
        if (count != rdy) {
            rdy = count;
            lastRdyChangeMillis = nowMillis;
            writeRdy();
        }
    }

    /**
     * A message of this connection is finished on receipt while its handler still runs: lowers the
     * RDY on the wire by one, then sends the FIN (unless {@code fin} is false: the broker has already
     * given the message up), so nsqd never sees the slot free.
     */
    synchronized void finishHeld(String messageId, boolean fin) {
        held++;
        writeRdy();
        if (fin) {
            send(new ClientCommand.Fin(messageId));
        }
    }

    /** The handler of a message {@link #finishHeld finished on receipt} returned: gives its slot back. */
    synchronized void releaseHeld() {
        held--;
        writeRdy();
    }

    private synchronized void writeRdy() {
        int wire = Math.max(0, rdy - held);
        if (wire != wireRdy) {
            wireRdy = wire;
            send(new ClientCommand.Rdy(wire));
        }
    }

    @Override
    public void onMessage(ClientConnection from, Frame.Message message) {
        subscription.onMessage(this, message);
    }

    @Override
    public void onClosed(ClientConnection from, Throwable cause) {
        subscription.onClosed(this, cause);
    }

    @Override
    public String toString() {
        return address + "[rdy=" + rdy + ", inFlight=" + inFlight.get() + "]";
    }
}
