package dev.ferry.server;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * The training run behind the small start-up cache that {@code bin/startup-cache} makes beside the
 * server's, for the commands {@link Main} answers without picocli or Netty ({@code ferry --version},
 * the plain {@code ferry pub}): mapping the server's cache costs them more than it saves, while one
 * that holds only their classes (and the JDK's they use) saves them a fifth of their start.
 *
 * <p>It prints the version into nothing and publishes two messages with {@link QuickPub} to a
 * stand-in for nsqd on a free loopback port that answers each {@code PUB} with {@code OK}: enough of
 * NSQ's protocol for the path a real broker takes, and no broker's classes in the cache. Not for
 * users; exits 0 when both steps worked, else 1.
 *
 * <p>Threads: the stand-in answers on a daemon thread of its own; the steps run on the main thread.
 */
public final class QuickTraining {
    private QuickTraining() {}

    /**
     * Runs the training.
     *
     * @param args none
     */
    public static void main(String[] args) throws IOException {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        if (!Main.printVersion(new String[] {"--version"}, nowhere)) {
            System.err.println("quick training: --version was not answered");
            System.exit(1);
        }
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread standIn = new Thread(() -> answerPubs(listener), "quick-training-nsqd");
            standIn.setDaemon(true);
            standIn.start();
            OptionalInt status = QuickPub.run(
                    new String[] {
                        "pub", "--nsqd-tcp-address", "127.0.0.1:" + listener.getLocalPort(), "training", "one", "two"
                    },
                    System.err);
            if (status.isEmpty() || status.getAsInt() != 0) {
                System.err.println("quick training: pub ended with " + status);
                System.exit(1);
            }
        }
        System.exit(0);
    }

    /** Takes one connection: the V2 magic, then {@code OK} for each {@code PUB}, until it closes. */
    private static void answerPubs(ServerSocket listener) {
        try (Socket socket = listener.accept()) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            in.readNBytes(4); // "  V2"
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                if (c != '\n') {
                    line.append((char) c);
                    continue;
                }
                if (line.toString().startsWith("PUB ")) {
                    in.readNBytes(in.readInt());
                    out.writeInt(6);
                    out.writeInt(0); // a response frame
                    out.write("OK".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                line.setLength(0);
            }
        } catch (IOException e) {
            // the publisher left; the training's result is its exit code
        }
    }
}
