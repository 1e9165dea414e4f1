package dev.ferry.server;

import dev.ferry.nsq.TlsSettings;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * nsqd's TLS flags as {@code ferry server} reads and checks them, in {@link TlsSettings}' terms.
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
        TlsSettings.Required required,
        TlsSettings.ClientAuthPolicy clientAuthPolicy,
        Path rootCaFile,
        TlsSettings.Version minVersion,
        HostPort httpsAddress) {

    /**
     * The settings the servers take, or null without a certificate. As nsqd, a client certificate
     * policy makes TLS required ({@link TlsSettings} does that), and TLS required without a
     * certificate is an error.
     *
     * @throws IllegalArgumentException when TLS is required but there is no certificate
     */
    TlsSettings settings() {
        if (cert == null) {
            if (required != TlsSettings.Required.NO || clientAuthPolicy != TlsSettings.ClientAuthPolicy.NONE) {
                throw new IllegalArgumentException(
                        "cannot require TLS client connections without --tls-cert and --tls-key");
            }
            return null;
        }
        return new TlsSettings(cert, key, required, clientAuthPolicy, rootCaFile, minVersion);
    }

    /** {@code --tls-required} as nsqd reads it: {@code tcp-https} in any case, else one of Go's booleans. */
    static final class RequiredConverter implements CommandLine.ITypeConverter<TlsSettings.Required> {
        @Override
        public TlsSettings.Required convert(String text) {
            if (text.equalsIgnoreCase("tcp-https")) {
                return TlsSettings.Required.TCP_HTTPS;
            }
            try {
                return GoValues.parseBool(text) ? TlsSettings.Required.YES : TlsSettings.Required.NO;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("\"" + text + "\" is not one of true, false, tcp-https");
            }
        }
    }

    /** {@code --tls-client-auth-policy}: {@code require}, {@code require-verify}, or empty for none. */
    static final class ClientAuthPolicyConverter implements CommandLine.ITypeConverter<TlsSettings.ClientAuthPolicy> {
        @Override
        public TlsSettings.ClientAuthPolicy convert(String text) {
            try {
                return TlsSettings.ClientAuthPolicy.parse(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("\"" + text + "\" is not one of require, require-verify");
            }
        }
    }

    /**
     * {@code --tls-min-version}: {@code tls1.0} to {@code tls1.3}; empty means the default, tls1.0.
     * nsqd 1.3's help also names {@code ssl3.0}, but nsqd refuses it, and so does this.
     */
    static final class MinVersionConverter implements CommandLine.ITypeConverter<TlsSettings.Version> {
        @Override
        public TlsSettings.Version convert(String text) {
            if (text.isEmpty()) {
                return TlsSettings.Version.TLS_1_0;
            }
            try {
                return TlsSettings.Version.parse(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("\"" + text + "\" is not one of tls1.0, tls1.1, tls1.2,"
                        + " tls1.3" + (text.equalsIgnoreCase("ssl3.0") ? " (nsqd 1.3 refuses ssl3.0 too)" : ""));
            }
        }
    }
}
