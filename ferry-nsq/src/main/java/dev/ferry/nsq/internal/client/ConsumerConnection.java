package dev.ferry.nsq.internal.client;

import dev.ferry.nsq.internal.codec.ClientCommand;
import dev.ferry.nsq.internal.codec.Frame;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A subscription's connection to one broker, with what RDY distribution needs: the RDY sent, the
 * messages in flight, when the last message came. Listens to its {@link ClientConnection} and hands
 * messages to the subscription.
 *
 * <p>Thread-safe: RDY changes are made under the subscription's lock, in-flight counts from any
 * thread.
 */
final class ConsumerConnection implements RdyTarget, ClientConnection.Listener {
    private final ConsumerSubscription subscription;
    private final String address;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile ClientConnection connection;
    private volatile int rdy;
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
            send(new ClientCommand.Rdy(count));
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
