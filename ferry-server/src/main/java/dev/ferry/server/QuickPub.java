package dev.ferry.server;

import dev.ferry.Names;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * {@code ferry pub} in its plain form, {@code pub [--nsqd-tcp-address HOST:PORT] TOPIC MESSAGE...}, on
 * a plain socket: NSQ's V2 magic and one {@code PUB} per message, each answered {@code OK} in order.
 * It prints the line {@link PubCommand} prints and exits as it does; what it does not cover it leaves
 * to {@link PubCommand} by returning nothing, before a message has been accepted, so that nothing is
 * published twice: any other flag, standard input, a name or message the command refuses, a broker
 * that cannot be reached, and a refusal of the first message (whose reason the full command explains
 * with the flag to change).
 *
 * <p>Runs on the caller's thread and blocks until the broker has answered every message.
 */
final class QuickPub {
    private static final byte[] MAGIC = "  V2".getBytes(StandardCharsets.US_ASCII);
    private static final int FRAME_RESPONSE = 0;
    private static final int FRAME_ERROR = 1;
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final String address;
    private final String topic;
    private final List<String> messages;

    private QuickPub(String address, String topic, List<String> messages) {
        this.address = address;
        this.topic = topic;
        this.messages = messages;
    }

    /**
     * Publishes {@code args} ({@code pub ...}) when they are in the plain form, printing the summary
     * line, or a failure after some messages were accepted, on {@code err}.
     *
     * @return the exit code, or empty when the full command is to run (nothing was accepted then)
     */
    static OptionalInt run(String[] args, PrintStream err) {
        QuickPub pub = parse(args);
        return pub == null ? OptionalInt.empty() : pub.publish(err);
    }

    /** The plain form's parts, or null when {@code args} are anything else. */
    static QuickPub parse(String[] args) {
        String address = null;
        List<String> positional = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--nsqd-tcp-address") || a.equals("-nsqd-tcp-address")) {
                if (address != null || i + 1 == args.length) {
                    return null;
                }
                address = args[++i];
            } else if (a.startsWith("--nsqd-tcp-address=") || a.startsWith("-nsqd-tcp-address=")) {
                if (address != null) {
                    return null;
                }
                address = a.substring(a.indexOf('=') + 1);
            } else if (a.isEmpty() || a.startsWith("-") || a.startsWith("@")) {
                return null;
            } else {
                positional.add(a);
            }
        }
        if (positional.size() < 2 || !Names.isValid(positional.getFirst())) {
            return null;
        }
        return new QuickPub(
                address == null ? BrokerOptions.LOCAL_BROKER : address,
                positional.getFirst(),
                List.copyOf(positional.subList(1, positional.size())));
    }

    private OptionalInt publish(PrintStream err) {
        int colon = address.lastIndexOf(':');
        int port;
        try {
            port = colon <= 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65_535) {
            return OptionalInt.empty();
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        long start = System.nanoTime();
        int accepted = 0;
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            out.write(MAGIC);
            // the first alone: a refusal of it goes to the full command, which explains it
            send(out, messages.getFirst());
            out.flush();
            String first = answer(in, out);
            if (first != null) {
                return OptionalInt.empty();
            }
            accepted = 1;
            for (String m : messages.subList(1, messages.size())) {
                send(out, m);
            }
            out.flush();
            for (int i = 1; i < messages.size(); i++) {
                String refusal = answer(in, out);
                if (refusal != null) {
                    String reason = SizeRefusal.in(new IllegalStateException(refusal))
                            .map(r -> "a message of " + r.size() + " bytes is " + r.over()
                                    + "; raise the broker's limit: " + r.advice(r.size()))
                            .orElse("the broker answered " + refusal);
                    return failed(err, accepted, reason);
                }
                accepted++;
            }
        } catch (IOException e) {
            if (accepted == 0) {
                return OptionalInt.empty();
            }
            return failed(err, accepted, "the connection to " + address + " failed: " + e.getMessage());
        }
        err.println(
                "pub: " + RateReporter.rate(accepted, System.nanoTime() - start) + " to " + topic + " on " + address);
        err.flush();
        return OptionalInt.of(0);
    }

    private OptionalInt failed(PrintStream err, int accepted, String reason) {
        err.println("ferry: pub to " + topic + " failed after " + accepted + " messages: " + reason);
        err.flush();
        return OptionalInt.of(Ferry.EXIT_FAILURE);
    }

    private void send(DataOutputStream out, String message) throws IOException {
        byte[] body = message.getBytes(StandardCharsets.UTF_8);
        out.write(("PUB " + topic + "\n").getBytes(StandardCharsets.US_ASCII));
        out.writeInt(body.length);
        out.write(body);
    }

    /** Null for {@code OK}, else the broker's error; answers heartbeats on the way. */
    private static String answer(DataInputStream in, DataOutputStream out) throws IOException {
        while (true) {
            int size = in.readInt();
            if (size < 4) {
                throw new IOException("a frame of " + size + " bytes");
            }
            int type = in.readInt();
            byte[] data = in.readNBytes(size - 4);
            String text = new String(data, StandardCharsets.UTF_8);
            if (type == FRAME_RESPONSE && text.equals("_heartbeat_")) {
                out.write("NOP\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } else if (type == FRAME_RESPONSE && text.equals("OK")) {
                return null;
            } else {
                return type == FRAME_ERROR ? text : "an unexpected frame " + type + ": " + text;
            }
        }
    }
}
