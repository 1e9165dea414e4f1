package dev.ferry.nsq;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A bare NSQ protocol client over a real socket, for tests: writes commands, reads frames. */
final class WireClient implements AutoCloseable {
    /** A frame read from the server. */
    record Frame(int type, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }

        /** The id of a message frame. */
        String messageId() {
            return new String(data, 10, 16, StandardCharsets.US_ASCII);
        }

        /** The body of a message frame. */
        String body() {
            return new String(data, 26, data.length - 26, StandardCharsets.UTF_8);
        }
    }

    final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;

    /** Connects to the server on loopback and sends the magic. */
    WireClient(int port) throws IOException {
        this(port, 0);
    }

    /** As {@link #WireClient(int)}, with a receive buffer of {@code receiveBuffer} bytes (0: the default). */
    WireClient(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out.write("  V2".getBytes(StandardCharsets.US_ASCII));
    }

    /** An MPUB body: the count, then each message's size and bytes. */
    static byte[] mpub(byte[]... messages) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        DataOutputStream body = new DataOutputStream(bytes);
        try {
            body.writeInt(messages.length);
            for (byte[] m : messages) {
                body.writeInt(m.length);
                body.write(m);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes a command line (with its newline) and, unless null, a sized body. */
    void write(String line, byte[] body) throws IOException {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            out.writeInt(body.length);
            out.write(body);
        }
        out.flush();
    }

    /** Reads the next frame. */
    Frame read() throws IOException {
        int size = in.readInt();
        int type = in.readInt();
        byte[] data = new byte[size - 4];
        in.readFully(data);
        return new Frame(type, data);
    }

    /** Writes a command and returns the text of the next frame. */
    String send(String line, String body) throws IOException {
        write(line, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        return read().text();
    }

    /** True when the server has closed the connection (blocks until something arrives). */
    boolean closedByServer() throws IOException {
        return in.read() < 0;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
