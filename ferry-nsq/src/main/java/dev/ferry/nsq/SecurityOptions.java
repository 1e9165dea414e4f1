package dev.ferry.nsq;

import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * What protects a connection and what it proves: TLS (IDENTIFY {@code tls_v1}, or the TLS of a
 * {@code wss://} federation address), the secret sent with AUTH when a broker requires it, and the
 * federation key that answers a broker's challenge on a {@code ws://} or {@code wss://} address.
 * Immutable; {@link #toString()} never shows a secret.
 *
 * @param tls the TLS context every connection is upgraded with (for a {@code wss://} address: the
 *     context of its TLS, the JVM's default when empty), or empty for none (the default)
 * @param authSecret the secret sent with AUTH when a broker requires it, or empty (the default)
 * @param federationKey the key that answers the challenge of a federation address, or empty (the
 *     default; a {@code ws://} or {@code wss://} address then cannot connect)
 */
public record SecurityOptions(
        Optional<SSLContext> tls, Optional<String> authSecret, Optional<FederationKey> federationKey) {
    /** No TLS, no AUTH secret and no federation key. */
    public static final SecurityOptions NONE =
            new SecurityOptions(Optional.empty(), Optional.empty(), Optional.empty());

    /** Checks that no component is null (each may be empty). */
    public SecurityOptions {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(authSecret, "authSecret");
        Objects.requireNonNull(federationKey, "federationKey");
    }

    /** TLS and the AUTH secret, without a federation key. */
    public SecurityOptions(Optional<SSLContext> tls, Optional<String> authSecret) {
        this(tls, authSecret, Optional.empty());
    }

    /** A builder with no TLS and no secret. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        return new Builder()
                .tls(tls.orElse(null))
                .authSecret(authSecret.orElse(null))
                .federationKey(federationKey.orElse(null));
    }

    @Override
    public String toString() {
        return "SecurityOptions[tls=" + tls.isPresent() + ", authSecret=" + (authSecret.isPresent() ? "set" : "none")
                + ", federationKey=" + federationKey.map(FederationKey::name).orElse("none") + "]";
    }

    /** Collects security settings. Not thread-safe. */
    public static final class Builder {
        private SSLContext tls;
        private String authSecret;
        private FederationKey federationKey;

        private Builder() {}

        /** Upgrades every connection to TLS with {@code context} (null: no TLS). */
        public Builder tls(SSLContext context) {
            this.tls = context;
            return this;
        }

        /** Sets the AUTH secret (null: none). */
        public Builder authSecret(String value) {
            this.authSecret = value;
            return this;
        }

        /** Sets the key that answers a federation address's challenge (null: none). */
        public Builder federationKey(FederationKey value) {
            this.federationKey = value;
            return this;
        }

        /** Seals the settings. */
        public SecurityOptions build() {
            return new SecurityOptions(
                    Optional.ofNullable(tls), Optional.ofNullable(authSecret), Optional.ofNullable(federationKey));
        }
    }
}
