package dev.ferry.nsq;

import java.time.Clock;
import java.time.Duration;

/**
 * The limits and defaults of the NSQ server side, named and defaulted as nsqd's options.
 *
 * @param maxMsgSize largest message body ({@code --max-msg-size}, 1 MiB)
 * @param maxBodySize largest command body ({@code --max-body-size}, 5 MiB)
 * @param maxRdyCount largest RDY ({@code --max-rdy-count}, 2500)
 * @param msgTimeout default in-flight timeout ({@code --msg-timeout}, 60 s)
 * @param maxMsgTimeout largest timeout a client may ask for ({@code --max-msg-timeout}, 15 min)
 * @param maxReqTimeout largest REQ and DPUB delay ({@code --max-req-timeout}, 1 h)
 * @param heartbeatInterval default heartbeat interval (half the client timeout: 30 s)
 * @param maxHeartbeatInterval largest heartbeat interval ({@code --max-heartbeat-interval}, 60 s)
 * @param outputBufferSize default output buffer (16 KiB)
 * @param outputBufferTimeout default output buffer timeout (250 ms)
 * @param minOutputBufferTimeout smallest output buffer timeout (25 ms)
 * @param maxOutputBufferTimeout largest output buffer timeout (30 s)
 * @param maxOutputBufferSize largest output buffer ({@code --max-output-buffer-size}, 64 KiB)
 * @param maxDeflateLevel largest deflate level ({@code --max-deflate-level}, 6)
 * @param deflateEnabled whether IDENTIFY may negotiate deflate ({@code --deflate}, true); when false the answer
 *     says {@code "deflate":false} to a client that asks for it, and the connection stays uncompressed
 * @param snappyEnabled whether IDENTIFY may negotiate snappy ({@code --snappy}, true), likewise
 * @param version the version reported to clients
 * @param clock the clock the engine uses, for in-flight deadlines
 */
public record ServerOptions(
        int maxMsgSize,
        int maxBodySize,
        int maxRdyCount,
        Duration msgTimeout,
        Duration maxMsgTimeout,
        Duration maxReqTimeout,
        Duration heartbeatInterval,
        Duration maxHeartbeatInterval,
        int outputBufferSize,
        Duration outputBufferTimeout,
        Duration minOutputBufferTimeout,
        Duration maxOutputBufferTimeout,
        int maxOutputBufferSize,
        int maxDeflateLevel,
        boolean deflateEnabled,
        boolean snappyEnabled,
        String version,
        Clock clock) {

    /** nsqd 1.3's defaults. */
    public static ServerOptions defaults() {
        return new ServerOptions(
                1 << 20,
                5 << 20,
                2500,
                Duration.ofSeconds(60),
                Duration.ofMinutes(15),
                Duration.ofHours(1),
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                16 * 1024,
                Duration.ofMillis(250),
                Duration.ofMillis(25),
                Duration.ofSeconds(30),
                64 * 1024,
                6,
                true,
                true,
                "1.3.0",
                Clock.systemUTC());
    }

    /** A copy with another clock. */
    public ServerOptions withClock(Clock value) {
        return new ServerOptions(
                maxMsgSize,
                maxBodySize,
                maxRdyCount,
                msgTimeout,
                maxMsgTimeout,
                maxReqTimeout,
                heartbeatInterval,
                maxHeartbeatInterval,
                outputBufferSize,
                outputBufferTimeout,
                minOutputBufferTimeout,
                maxOutputBufferTimeout,
                maxOutputBufferSize,
                maxDeflateLevel,
                deflateEnabled,
                snappyEnabled,
                version,
                value);
    }

    /** A copy with other size limits: {@code --max-msg-size} and {@code --max-body-size}. */
    public ServerOptions withSizeLimits(int maxMsgSize, int maxBodySize) {
        return new ServerOptions(
                maxMsgSize,
                maxBodySize,
                maxRdyCount,
                msgTimeout,
                maxMsgTimeout,
                maxReqTimeout,
                heartbeatInterval,
                maxHeartbeatInterval,
                outputBufferSize,
                outputBufferTimeout,
                minOutputBufferTimeout,
                maxOutputBufferTimeout,
                maxOutputBufferSize,
                maxDeflateLevel,
                deflateEnabled,
                snappyEnabled,
                version,
                clock);
    }

    /** A copy that offers, or does not offer, deflate and snappy to clients that ask in IDENTIFY. */
    public ServerOptions withCompression(boolean deflate, boolean snappy) {
        return new ServerOptions(
                maxMsgSize,
                maxBodySize,
                maxRdyCount,
                msgTimeout,
                maxMsgTimeout,
                maxReqTimeout,
                heartbeatInterval,
                maxHeartbeatInterval,
                outputBufferSize,
                outputBufferTimeout,
                minOutputBufferTimeout,
                maxOutputBufferTimeout,
                maxOutputBufferSize,
                maxDeflateLevel,
                deflate,
                snappy,
                version,
                clock);
    }
}
