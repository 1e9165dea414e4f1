package dev.ferry.support;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;

/**
 * Network failures in plain words, for messages a person reads: {@code connection refused} rather
 * than {@code java.net.ConnectException} (whose message, from Java's HTTP client, is empty) or
 * {@code io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused: /127.0.0.1:1}.
 * Callers put the address and what to do around it. Stateless and thread-safe.
 */
public final class NetworkErrors {
    private NetworkErrors() {}

    /**
     * What went wrong, in a few lower-case words and without a class name: {@code connection
     * refused}, {@code timed out connecting}, {@code unknown host}, ... The first cause in {@code
     * error}'s chain that is a known network failure decides; otherwise the deepest cause's message.
     */
    public static String reason(Throwable error) {
        Throwable deepest = error;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String known = known(t);
            if (known != null) {
                return known;
            }
            deepest = t;
        }
        String message = deepest.getMessage();
        return message == null || message.isBlank() ? "an input/output error" : message;
    }

    private static String known(Throwable t) {
        String message = t.getMessage() == null ? "" : t.getMessage();
        if (t instanceof HttpConnectTimeoutException) {
            return "timed out connecting";
        }
        if (t instanceof HttpTimeoutException || t instanceof SocketTimeoutException) {
            return "timed out waiting for the answer";
        }
        if (t instanceof ConnectException) {
            // Netty's connect timeout is a ConnectException too
            return message.contains("timed out") ? "timed out connecting" : "connection refused";
        }
        if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
            return "unknown host";
        }
        if (t instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (t instanceof ClosedChannelException || message.contains("Connection reset")) {
            return "the connection was closed";
        }
        return null;
    }
}
