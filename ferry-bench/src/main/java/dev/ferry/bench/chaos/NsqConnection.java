package dev.ferry.bench.chaos;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * NSQ's TCP protocol V2 spoken by hand over one blocking socket, so that the suite counts exactly
 * what the broker answered (an {@code OK} is an acknowledgement, nothing else is) and can send
 * whatever bytes it likes. Not thread-safe: one thread per connection.
 */
final class NsqConnection implements AutoCloseable {
    static final int RESPONSE = 0;
    static final int ERROR = 1;
    static final int MESSAGE = 2;

    /** One frame from the broker: its type and its data. */
    record Frame(int type, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }

        /** The body of a message frame (after timestamp, attempts and the 16-byte id). */
        byte[] body() {
            return java.util.Arrays.copyOfRange(data, 26, data.length);
        }

        /** The 16-character id of a message frame. */
        String id() {
            return new String(data, 10, 16, StandardCharsets.US_ASCII);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    private NsqConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
    }

    /** Connects, sends the V2 magic, and gives reads {@code timeoutMs} before they fail. */
    static NsqConnection open(int port, int timeoutMs) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            socket.setTcpNoDelay(true);
            NsqConnection c = new NsqConnection(socket);
            c.raw("  V2".getBytes(StandardCharsets.US_ASCII));
            return c;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Writes bytes as they are, and flushes. */
    void raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Writes a command line ({@code line} without its newline) and, when not null, a sized body. */
    void command(String line, byte[] body) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            out.writeInt(body.length);
            out.write(body);
        }
        out.flush();
    }

    /** PUB: the broker's answer, {@code OK} when the message is acknowledged. */
    String publish(String topic, byte[] body) throws IOException {
        command("PUB " + topic, body);
        return answer();
    }

    /** MPUB of several bodies: the broker's answer, {@code OK} when all are acknowledged. */
    String publishMany(String topic, List<byte[]> bodies) throws IOException {
        int size = 4;
        for (byte[] b : bodies) {
            size += 4 + b.length;
        }
        out.write(("MPUB " + topic + "\n").getBytes(StandardCharsets.UTF_8));
        out.writeInt(size);
        out.writeInt(bodies.size());
        for (byte[] b : bodies) {
            out.writeInt(b.length);
            out.write(b);
        }
        out.flush();
        return answer();
    }

    /** SUB and then RDY {@code rdy}; fails unless the broker answers OK. */
    void subscribe(String topic, String channel, int rdy) throws IOException {
        command("SUB " + topic + " " + channel, null);
        String answer = answer();
        if (!answer.equals("OK")) {
            throw new IOException("SUB " + topic + " " + channel + ": " + answer);
        }
        command("RDY " + rdy, null);
    }

    /** The next response or error, answering heartbeats on the way; message frames are not expected. */
    String answer() throws IOException {
        while (true) {
            Frame f = next();
            if (f.type() != MESSAGE) {
                return f.text();
            }
        }
    }

    /** The next frame that is not a heartbeat (answered with NOP). */
    Frame next() throws IOException {
        while (true) {
            int size = in.readInt();
            if (size < 4 || size > 64 * 1024 * 1024) {
                throw new IOException("frame size " + size);
            }
            int type = in.readInt();
            byte[] data = new byte[size - 4];
            in.readFully(data);
            Frame f = new Frame(type, data);
            if (type == RESPONSE && f.text().equals("_heartbeat_")) {
                command("NOP", null);
                continue;
            }
            return f;
        }
    }

    /**
     * What the broker does after hostile input: the first frame's text ("E_BAD_BODY ..."), or
     * "closed" when it closed the connection without one.
     */
    String reaction() throws IOException {
        try {
            Frame f = next();
            return (f.type() == ERROR ? "" : "response ") + f.text();
        } catch (EOFException e) {
            return "closed";
        } catch (java.net.SocketTimeoutException e) {
            return "no answer within the read timeout (connection left open)";
        } catch (java.net.SocketException e) {
            return "closed (" + e.getMessage() + ")";
        }
    }

    void finish(String id) throws IOException {
        out.write(("FIN " + id + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a socket the broker may have closed already: nothing to do
        }
    }
}
