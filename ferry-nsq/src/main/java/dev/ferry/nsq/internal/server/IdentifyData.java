package dev.ferry.nsq.internal.server;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of IDENTIFY; unknown fields are ignored and missing ones are zero, as in nsqd. The
 * numbers nsqd decodes as Go {@code int} (64 bits) are {@code long} here, so a value out of range is
 * decoded and then refused by name, as nsqd does; {@code sample_rate} is 32 bits in nsqd too.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record IdentifyData(
        @JsonProperty("client_id") String clientId,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("user_agent") String userAgent,
        @JsonProperty("feature_negotiation") boolean featureNegotiation,
        @JsonProperty("heartbeat_interval") long heartbeatInterval,
        @JsonProperty("output_buffer_size") long outputBufferSize,
        @JsonProperty("output_buffer_timeout") long outputBufferTimeout,
        @JsonProperty("tls_v1") boolean tlsV1,
        @JsonProperty("deflate") boolean deflate,
        @JsonProperty("deflate_level") long deflateLevel,
        @JsonProperty("snappy") boolean snappy,
        @JsonProperty("sample_rate") int sampleRate,
        @JsonProperty("msg_timeout") long msgTimeout) {}
