package dev.ferry.server;

import java.nio.file.Path;
import picocli.CommandLine;

/**
 * nsqd's TLS flags as {@code ferry server} reads and checks them. The certificate and key are applied
 * (TLS after IDENTIFY); the rest is not yet, and the start-up line of ignored flags says so when one
 * is given.
 *
 * <p>nsqd also derives and checks at start, which whoever applies these is to mirror: a client auth
 * policy other than none turns {@code required} from {@link Required#NOT_REQUIRED} into
 * {@link Required#REQUIRED}; TLS required without a certificate and key is an error; HTTPS is
 * served on {@code httpsAddress} only when there is a certificate.
 *
 * @param cert {@code --tls-cert}, or null
 * @param key {@code --tls-key}, or null
 * @param required {@code --tls-required}
 * @param clientAuthPolicy {@code --tls-client-auth-policy}
 * @param rootCaFile {@code --tls-root-ca-file}, or null
 * @param minVersion {@code --tls-min-version}
 * @param httpsAddress {@code --https-address}, or null when given empty
 */
record TlsFlags(
        Path cert,
        Path key,
        Required required,
        ClientAuthPolicy clientAuthPolicy,
        Path rootCaFile,
        MinVersion minVersion,
        HostPort httpsAddress) {

    /** {@code --tls-required}: a boolean flag, or {@code tcp-https}. */
    enum Required {
        /** {@code false}, the default: TLS only for clients that ask for it. */
        NOT_REQUIRED,
        /** {@code tcp-https}: TCP clients must upgrade, HTTP stays open (HTTPS too). */
        REQUIRED_EXCEPT_HTTP,
        /** {@code true}: TCP clients must upgrade and HTTP is served over HTTPS only. */
        REQUIRED;

        /** As nsqd reads it: {@code tcp-https} in any case, else one of Go's booleans. */
        static final class Converter implements CommandLine.ITypeConverter<Required> {
            @Override
            public Required convert(String text) {
                if (text.equalsIgnoreCase("tcp-https")) {
                    return REQUIRED_EXCEPT_HTTP;
                }
                try {
                    return GoValues.parseBool(text.toLowerCase(java.util.Locale.ROOT)) ? REQUIRED : NOT_REQUIRED;
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.TypeConversionException(
                            "\"" + text + "\" is not one of true, false, tcp-https");
                }
            }
        }
    }

    /** {@code --tls-client-auth-policy}: whether clients must show a certificate. */
    enum ClientAuthPolicy {
        /** Not given (or empty): no client certificate asked for. */
        NONE,
        /** {@code require}: a client certificate is required, not verified. */
        REQUIRE,
        /** {@code require-verify}: a client certificate is required and verified against the root CA. */
        REQUIRE_VERIFY;

        /** {@code require}, {@code require-verify}, or empty for none. */
        static final class Converter implements CommandLine.ITypeConverter<ClientAuthPolicy> {
            @Override
            public ClientAuthPolicy convert(String text) {
                return switch (text.toLowerCase(java.util.Locale.ROOT)) {
                    case "" -> NONE;
                    case "require" -> REQUIRE;
                    case "require-verify" -> REQUIRE_VERIFY;
                    default ->
                        throw new CommandLine.TypeConversionException(
                                "\"" + text + "\" is not one of require, require-verify");
                };
            }
        }
    }

    /** {@code --tls-min-version}: the oldest protocol version accepted. */
    enum MinVersion {
        TLS1_0("tls1.0", "TLSv1"),
        TLS1_1("tls1.1", "TLSv1.1"),
        TLS1_2("tls1.2", "TLSv1.2"),
        TLS1_3("tls1.3", "TLSv1.3");

        private final String flagValue;
        private final String protocol;

        MinVersion(String flagValue, String protocol) {
            this.flagValue = flagValue;
            this.protocol = protocol;
        }

        /** The JSSE protocol name ({@code TLSv1.2}), as {@code SslContextBuilder.protocols} takes it. */
        String protocol() {
            return protocol;
        }

        @Override
        public String toString() {
            return flagValue;
        }

        /**
         * {@code tls1.0} to {@code tls1.3}, in any case; empty means the default, tls1.0. nsqd 1.3's help
         * also names {@code ssl3.0}, but nsqd refuses it, and so does this.
         */
        static final class Converter implements CommandLine.ITypeConverter<MinVersion> {
            @Override
            public MinVersion convert(String text) {
                if (text.isEmpty()) {
                    return TLS1_0;
                }
                for (MinVersion v : values()) {
                    if (v.flagValue.equalsIgnoreCase(text)) {
                        return v;
                    }
                }
                throw new CommandLine.TypeConversionException("\"" + text + "\" is not one of tls1.0, tls1.1, tls1.2,"
                        + " tls1.3" + (text.equalsIgnoreCase("ssl3.0") ? " (nsqd 1.3 refuses ssl3.0 too)" : ""));
            }
        }
    }
}
