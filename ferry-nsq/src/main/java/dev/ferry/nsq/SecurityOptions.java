package dev.ferry.nsq;

import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * What protects a connection and what it proves: TLS (IDENTIFY {@code tls_v1}) and the secret sent
 * with AUTH when a broker requires it. Immutable; {@link #toString()} never shows the secret.
 *
 * @param tls the TLS context every connection is upgraded with, or empty for none (the default)
 * @param authSecret the secret sent with AUTH when a broker requires it, or empty (the default)
 */
public record SecurityOptions(Optional<SSLContext> tls, Optional<String> authSecret) {
    /** No TLS and no AUTH secret. */
    public static final SecurityOptions NONE = new SecurityOptions(Optional.empty(), Optional.empty());

    /** Checks that neither component is null (each may be empty). */
    public SecurityOptions {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(authSecret, "authSecret");
    }

    /** A builder with no TLS and no secret. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        return new Builder().tls(tls.orElse(null)).authSecret(authSecret.orElse(null));
    }

    @Override
    public String toString() {
        return "SecurityOptions[tls=" + tls.isPresent() + ", authSecret=" + (authSecret.isPresent() ? "set" : "none")
                + "]";
    }

    /** Collects security settings. Not thread-safe. */
    public static final class Builder {
        private SSLContext tls;
        private String authSecret;

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

        /** Seals the settings. */
        public SecurityOptions build() {
            return new SecurityOptions(Optional.ofNullable(tls), Optional.ofNullable(authSecret));
        }
    }
}
