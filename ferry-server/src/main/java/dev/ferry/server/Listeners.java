package dev.ferry.server;

import dev.ferry.FerryException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.function.Supplier;

/**
 * The addresses a service listens on, checked before it takes anything else (the data directory and
 * its lock, the memory queues' database), so that a port in use ends the command with one sentence
 * naming the listener, the address and the flag to change, and leaves nothing behind. Stateless.
 */
final class Listeners {
    /** One listener: its name as the service prints it ({@code TCP}, {@code HTTP}), where, and its flag. */
    record Listener(String name, HostPort address, String flag) {}

    private Listeners() {}

    /**
     * Binds each listener with a fixed port for a moment and releases it. A port taken between this
     * check and the real bind is caught by {@link #start}.
     *
     * @throws FerryException naming the first listener that cannot listen, and why
     */
    static void checkFree(List<Listener> listeners) {
        for (Listener l : listeners) {
            if (l.address().port() == 0) {
                continue; // the system picks a free port
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(
                        new InetSocketAddress(l.address().host(), l.address().port()));
            } catch (IOException | RuntimeException e) {
                throw cannotListen(l, e);
            }
        }
    }

    /**
     * Starts a listener, rewording a failure to bind as {@link #checkFree} does.
     *
     * @throws FerryException naming the listener and the address when it cannot listen
     */
    static <T> T start(Listener listener, Supplier<T> start) {
        try {
            return start.get();
        } catch (IllegalStateException e) {
            throw cannotListen(listener, e);
        }
    }

    private static FerryException cannotListen(Listener l, Exception e) {
        String why = inUse(e)
                ? "the address is in use (another ferry server, lookupd or nsqd?); stop what holds it or"
                : describe(e) + ";";
        return new FerryException(
                "cannot listen for " + l.name() + " on " + l.address() + ": " + why + " choose another address with "
                        + l.flag(),
                e);
    }

    private static boolean inUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BindException && String.valueOf(t.getMessage()).contains("in use")) {
                return true;
            }
        }
        return false;
    }

    /** The system's words for a failure to bind ({@code Cannot assign requested address}), lower-cased. */
    private static String describe(Throwable e) {
        Throwable deepest = e;
        while (deepest.getCause() != null && deepest.getCause() != deepest) {
            deepest = deepest.getCause();
        }
        String message = deepest.getMessage() == null ? "the system refused" : deepest.getMessage();
        int colon = message.indexOf(": ");
        if (deepest instanceof BindException && colon > 0) {
            message = message.substring(0, colon); // Netty appends the address, which the sentence already names
        }
        return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }
}
