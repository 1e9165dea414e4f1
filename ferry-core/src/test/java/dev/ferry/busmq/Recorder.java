package dev.ferry.busmq;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the events of a {@link BusQueue} or a {@link Duplex} as strings, in order. */
public final class Recorder implements BusQueue.Listener, Duplex.Listener {
    public final List<String> events = new CopyOnWriteArrayList<>();
    public final List<String> messages = new CopyOnWriteArrayList<>();
    public final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @Override
    public void attaching() {
        events.add("attaching");
    }

    @Override
    public void attached(boolean existed) {
        events.add("attached:" + existed);
    }

    @Override
    public void detaching() {
        events.add("detaching");
    }

    @Override
    public void detached() {
        events.add("detached");
    }

    @Override
    public void consuming(boolean consuming) {
        events.add("consuming:" + consuming);
    }

    @Override
    public void message(String message) {
        messages.add(message);
        events.add("message:" + message);
    }

    @Override
    public void error(Throwable error) {
        errors.add(error);
        events.add("error:" + error.getMessage());
    }

    @Override
    public void connect() {
        events.add("connect");
    }

    @Override
    public void remoteConnect() {
        events.add("remote:connect");
    }

    @Override
    public void disconnect() {
        events.add("disconnect");
    }

    @Override
    public void remoteDisconnect() {
        events.add("remote:disconnect");
    }

    @Override
    public void end() {
        events.add("end");
    }
}
