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
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;

/**
 * The broker's TLS server context, made on a thread of its own once the broker listens: making one
 * initialises the JDK's TLS implementation and Netty's, which costs about as much CPU as the rest of
 * a start, and nothing needs it before the first client asks for TLS. {@code ferry server} checks the
 * files first ({@link TlsSettings#checkFiles()}), so a mistake in them is still a usage error before
 * anything opens; it hands this context to the servers, starts their listeners, then {@link #start()}s
 * the making (on a 2-core machine, making it earlier would take the CPU from the start itself) and
 * waits for it ({@link #await()}).
 *
 * <p>Every method delegates to the context once it is made and blocks until then: a client that asks
 * for TLS in the first moments of a start waits for it on its server's event loop, once (each server
 * has event loops of its own, so the listeners still start). Thread-safe.
 */
final class BackgroundSslContext extends SslContext {
    private final TlsSettings tls;
    private final CompletableFuture<SslContext> made = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();

    /** The context of {@code tls}, to be made once {@link #start()} is called. */
    BackgroundSslContext(TlsSettings tls) {
        this.tls = tls;
    }

    /** Starts making the context on a daemon thread, and returns at once; later calls do nothing. */
    void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
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
    }

    /**
     * Starts making the context unless it is being made, and waits until it is made.
     *
     * @throws IllegalArgumentException as {@link TlsSettings#newServerContext()} when it could not be
     *     made (the files passed the checks, but the JDK refused them)
     */
    void await() {
        start();
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
