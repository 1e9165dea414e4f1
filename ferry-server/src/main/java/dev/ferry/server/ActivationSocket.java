package dev.ferry.server;

import dev.ferry.FerryException;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The listening socket a service manager handed this process, whose connections are wakeups: each
 * is accepted and closed at once, and reported. A socket-activated consumer holds it so that the
 * connection that started it, and any that follow while it runs, are taken off the socket.
 *
 * <p>Two ways in, tried in this order:
 *
 * <ol>
 *   <li>systemd's socket activation protocol ({@code sd_listen_fds(3)}): {@code LISTEN_PID} is this
 *       process and {@code LISTEN_FDS} counts the sockets, passed from descriptor 3 on. This is what a
 *       {@code .socket} unit and {@code systemd-socket-activate} do. Plain Java cannot adopt a
 *       descriptor by number, so the sockets are taken through Netty's native transport for Linux
 *       ({@code netty-transport-native-epoll}); systemd passes them in blocking mode, so each gets a
 *       thread that blocks in {@code accept}.
 *   <li>a listening socket as standard input ({@code StandardInput=socket} in the service unit), which
 *       the JDK adopts itself through {@link System#inheritedChannel()}.
 * </ol>
 *
 * <p>Threading: one daemon thread per socket accepts and calls the listener; {@link #close()} may be
 * called from any thread.
 */
final class ActivationSocket implements AutoCloseable {
    /** Where systemd's passed descriptors start ({@code SD_LISTEN_FDS_START}). */
    static final int LISTEN_FDS_START = 3;

    private final List<Thread> acceptors = new ArrayList<>();
    private final List<ServerSocketChannel> channels = new ArrayList<>();
    private final String description;
    private volatile boolean closed;

    private ActivationSocket(String description) {
        this.description = description;
    }

    /**
     * Adopts the socket(s) this process was given and starts accepting.
     *
     * @param env the environment ({@code LISTEN_PID}, {@code LISTEN_FDS}, {@code LISTEN_FDNAMES})
     * @param onConnection called with the socket's description on each accepted connection
     * @param log where to report a socket that fails
     * @throws FerryException when no socket was passed, naming what was looked at
     */
    static ActivationSocket adopt(Map<String, String> env, Consumer<String> onConnection, Consumer<String> log)
            throws IOException {
        long pid = ProcessHandle.current().pid();
        String listenPid = env.get("LISTEN_PID");
        String listenFds = env.get("LISTEN_FDS");
        int fds = 0;
        if (listenPid != null && listenFds != null && listenPid.equals(Long.toString(pid))) {
            try {
                fds = Integer.parseInt(listenFds);
            } catch (NumberFormatException e) {
                throw new FerryException("LISTEN_FDS is not a number: \"" + listenFds + "\"");
            }
        }
        if (fds > 0) {
            return adoptDescriptors(fds, env.getOrDefault("LISTEN_FDNAMES", ""), onConnection, log);
        }
        Channel inherited = System.inheritedChannel();
        if (inherited instanceof ServerSocketChannel server) {
            ActivationSocket socket =
                    new ActivationSocket("standard input (listening on " + server.getLocalAddress() + ")");
            socket.channels.add(server);
            socket.start(
                    () -> {
                        try {
                            server.accept().close();
                            return true;
                        } catch (AsynchronousCloseException e) {
                            return false;
                        }
                    },
                    onConnection,
                    log);
            return socket;
        }
        throw new FerryException("--socket-activated, but this process was given no listening socket: LISTEN_PID="
                + listenPid + " LISTEN_FDS=" + listenFds + " (this process is " + pid
                + ") and standard input is " + (inherited == null ? "not a socket" : "not a listening socket")
                + ". Start it from a systemd .socket unit, under systemd-socket-activate, or with"
                + " StandardInput=socket.");
    }

    private static ActivationSocket adoptDescriptors(
            int count, String names, Consumer<String> onConnection, Consumer<String> log) {
        if (!Epoll.isAvailable()) {
            throw new FerryException(
                    "systemd passed " + count + " socket(s) as descriptors, which Ferry adopts through Netty's"
                            + " native epoll transport, and it is not available here (Linux x86-64 only): "
                            + Epoll.unavailabilityCause()
                            + "; pass the socket as standard input instead (StandardInput=socket)",
                    Epoll.unavailabilityCause());
        }
        ActivationSocket activation = new ActivationSocket("descriptor" + (count == 1 ? " " : "s ") + LISTEN_FDS_START
                + (count == 1 ? "" : ".." + (LISTEN_FDS_START + count - 1))
                + (names.isEmpty() ? "" : " (" + names + ")") + " from LISTEN_FDS");
        for (int fd = LISTEN_FDS_START; fd < LISTEN_FDS_START + count; fd++) {
            Socket socket = new Socket(fd);
            byte[] address = new byte[26]; // room for what accept reports, as Netty's own accept loop
            activation.start(
                    () -> {
                        int child = socket.accept(address);
                        if (child >= 0) {
                            new Socket(child).close();
                        }
                        return true;
                    },
                    onConnection,
                    log);
        }
        return activation;
    }

    /** What accepting one connection does; {@code false} when the socket was closed under it. */
    private interface Accept {
        boolean acceptAndClose() throws IOException;
    }

    private void start(Accept accept, Consumer<String> onConnection, Consumer<String> log) {
        Thread t = new Thread(
                () -> {
                    while (!closed) {
                        try {
                            if (!accept.acceptAndClose()) {
                                return;
                            }
                            onConnection.accept(description);
                        } catch (IOException e) {
                            if (!closed) {
                                log.accept("accepting on " + description + " failed: " + e);
                            }
                            return;
                        }
                    }
                },
                "ferry-activation-" + acceptors.size());
        t.setDaemon(true);
        acceptors.add(t);
        t.start();
    }

    /** Which socket this is, for messages. */
    String description() {
        return description;
    }

    /**
     * Stops accepting. A thread blocked in accept on a passed descriptor stays there until the process
     * exits: closing a descriptor another thread waits on is not safe, and shutting the socket down
     * would shut systemd's own copy too. A connection it takes in that moment is lost; the wakeup
     * service tries again after its interval.
     */
    @Override
    public void close() {
        closed = true;
        for (ServerSocketChannel server : channels) {
            try {
                server.close();
            } catch (IOException e) {
                // closing on the way out; the process exits next
            }
        }
    }
}
