package dev.ferry.nsq.internal.server;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The body of IDENTIFY; unknown fields are ignored and missing ones are zero, as in nsqd. */
@JsonIgnoreProperties(ignoreUnknown = true)
record IdentifyData(
        @JsonProperty("client_id") String clientId,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("user_agent") String userAgent,
        @JsonProperty("feature_negotiation") boolean featureNegotiation,
        @JsonProperty("heartbeat_interval") int heartbeatInterval,
        @JsonProperty("output_buffer_size") int outputBufferSize,
        @JsonProperty("output_buffer_timeout") int outputBufferTimeout,
        @JsonProperty("tls_v1") boolean tlsV1,
        @JsonProperty("deflate") boolean deflate,
        @JsonProperty("deflate_level") int deflateLevel,
        @JsonProperty("snappy") boolean snappy,
        @JsonProperty("sample_rate") int sampleRate,
        @JsonProperty("msg_timeout") int msgTimeout) {}
