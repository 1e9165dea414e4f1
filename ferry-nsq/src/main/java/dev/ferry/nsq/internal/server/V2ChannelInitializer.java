package dev.ferry.nsq.internal.server;

import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.codec.CommandDecoder;
import dev.ferry.nsq.internal.codec.FrameEncoder;
import dev.ferry.spi.Engine;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;

/** Sets up a client connection: command decoder, frame encoder, then the protocol handler. */
public final class V2ChannelInitializer extends ChannelInitializer<Channel> {
    private final Engine engine;
    private final ServerOptions options;
    private final SslContext tls;
    private final boolean tlsRequired;
    private final AuthClient auth;
    private final ClientRegistry clients;

    /** Connections served over {@code engine} with {@code options}, without TLS or auth. */
    public V2ChannelInitializer(Engine engine, ServerOptions options) {
        this(engine, options, null, false, null, new ClientRegistry());
    }

    /**
     * Connections that may upgrade to TLS with {@code tls} (null: TLS not offered), must do so before
     * any command but IDENTIFY when {@code tlsRequired}, and must AUTH against {@code auth} (null: no
     * auth); each connection is listed in {@code clients} while open.
     *
     * @throws IllegalArgumentException when TLS is required but not offered
     */
    public V2ChannelInitializer(
            Engine engine,
            ServerOptions options,
            SslContext tls,
            boolean tlsRequired,
            AuthClient auth,
            ClientRegistry clients) {
        if (tlsRequired && tls == null) {
            throw new IllegalArgumentException("TLS cannot be required without a TLS context");
        }
        this.engine = engine;
        this.options = options;
        this.tls = tls;
        this.tlsRequired = tlsRequired;
        this.auth = auth;
        this.clients = clients;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline()
                .addLast("decoder", new CommandDecoder(options.maxMsgSize(), options.maxBodySize()))
                .addLast("encoder", FrameEncoder.INSTANCE)
                .addLast("protocol", new V2Connection(engine, options, tls, tlsRequired, auth, clients));
    }
}
