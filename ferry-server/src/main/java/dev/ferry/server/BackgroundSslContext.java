package dev.ferry.server;

import dev.ferry.nsq.TlsSettings;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;

/**
 * The broker's TLS server context, made on a thread of its own while the broker starts: making one
 * initialises the JDK's TLS implementation and Netty's, which costs about as much CPU as the rest of
 * a start, and nothing needs it before the first client asks for TLS. {@code ferry server} checks the
 * files first ({@link TlsSettings#checkFiles()}), so a mistake in them is still a usage error before
 * anything opens, and waits for the context ({@link #await()}) once it listens.
 *
 * <p>Every method delegates to the context once it is made and blocks until then: a client that asks
 * for TLS in the first moments of a start waits for it on its event loop, once. Thread-safe.
 */
final class BackgroundSslContext extends SslContext {
    private final CompletableFuture<SslContext> made;

    private BackgroundSslContext(CompletableFuture<SslContext> made) {
        this.made = made;
    }

    /** Starts making the server context of {@code tls} on a daemon thread, and returns at once. */
    static BackgroundSslContext start(TlsSettings tls) {
        CompletableFuture<SslContext> made = new CompletableFuture<>();
        Thread maker = new Thread(
                () -> {
                    try {
                        made.complete(tls.newServerContext());
                    } catch (RuntimeException | Error e) {
                        made.completeExceptionally(e);
                    }
                },
                "ferry-tls-setup");
        maker.setDaemon(true);
        maker.start();
        return new BackgroundSslContext(made);
    }

    /**
     * Waits until the context is made.
     *
     * @throws IllegalArgumentException as {@link TlsSettings#newServerContext()} when it could not be
     *     made (the files passed the checks, but the JDK refused them)
     */
    void await() {
        context();
    }

    private SslContext context() {
        try {
            return made.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    @Override
    public boolean isClient() {
        return false;
    }

    @Override
    public List<String> cipherSuites() {
        return context().cipherSuites();
    }

    @Override
    public long sessionCacheSize() {
        return context().sessionCacheSize();
    }

    @Override
    public long sessionTimeout() {
        return context().sessionTimeout();
    }

    @Override
    @SuppressWarnings("deprecation")
    public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
        return context().applicationProtocolNegotiator();
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc) {
        return context().newEngine(alloc);
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
        return context().newEngine(alloc, peerHost, peerPort);
    }

    @Override
    public SSLSessionContext sessionContext() {
        return context().sessionContext();
    }

    // the handlers come from the context made, as it makes them (startTls is false for both)

    @Override
    protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls) {
        return context().newHandler(alloc);
    }

    @Override
    public SslHandler newHandler(ByteBufAllocator alloc, Executor delegatedTaskExecutor) {
        return context().newHandler(alloc, delegatedTaskExecutor);
    }

    @Override
    protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls, Executor executor) {
        return context().newHandler(alloc, executor);
    }

    @Override
    protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort, boolean startTls) {
        return context().newHandler(alloc, peerHost, peerPort);
    }

    @Override
    public SslHandler newHandler(
            ByteBufAllocator alloc, String peerHost, int peerPort, Executor delegatedTaskExecutor) {
        return context().newHandler(alloc, peerHost, peerPort, delegatedTaskExecutor);
    }

    @Override
    protected SslHandler newHandler(
            ByteBufAllocator alloc, String peerHost, int peerPort, boolean startTls, Executor executor) {
        return context().newHandler(alloc, peerHost, peerPort, executor);
    }
}
