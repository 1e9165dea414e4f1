package dev.ferry.nsq.internal.server;

import dev.ferry.nsq.ServerOptions;
import dev.ferry.nsq.internal.codec.CommandDecoder;
import dev.ferry.nsq.internal.codec.FrameEncoder;
import dev.ferry.spi.Engine;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
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

    /**
     * Adds the V2 protocol after the handler named {@code after} of a channel that is already
     * active and whose peer proved who it is ({@code grant}): the bytes that handler passes on are
     * read as a client's V2 stream, and what the protocol writes goes back through it as bytes. The
     * caller then fires {@code channelActive} from {@code after}'s context to start the protocol.
     * Call on the channel's event loop.
     */
    public static void installAfter(
            ChannelPipeline pipeline,
            String after,
            Engine engine,
            ServerOptions options,
            PeerGrant grant,
            ClientRegistry clients) {
        pipeline.addAfter(after, "decoder", new CommandDecoder(options.maxMsgSize(), options.maxBodySize()))
                .addAfter("decoder", "encoder", FrameEncoder.INSTANCE)
                .addAfter("encoder", "protocol", new V2Connection(engine, options, null, false, null, grant, clients));
    }
}
