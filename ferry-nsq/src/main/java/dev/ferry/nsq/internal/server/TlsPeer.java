package dev.ferry.nsq.internal.server;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;

/** What a connection's TLS layer knows about the client, as nsqd tells its auth service. */
public final class TlsPeer {
    private TlsPeer() {}

    /** Whether the connection's TLS handshake has completed (no TLS layer: false). */
    public static boolean established(ChannelPipeline pipeline) {
        SslHandler tls = pipeline.get(SslHandler.class);
        return tls != null && tls.handshakeFuture().isSuccess();
    }

    /** A JSSE protocol name as nsqd names the version in {@code /stats}: {@code TLSv1.3} is {@code TLS1.3}. */
    public static String version(String protocol) {
        return switch (protocol) {
            case "TLSv1" -> "TLS1.0";
            case "TLSv1.1" -> "TLS1.1";
            case "TLSv1.2" -> "TLS1.2";
            case "TLSv1.3" -> "TLS1.3";
            default -> protocol;
        };
    }

    /**
     * The common name of the subject of the certificate the client presented, as nsqd takes it
     * (the last CN attribute when there are several); empty when there is no TLS, no certificate,
     * or no CN in it.
     */
    public static String commonName(ChannelPipeline pipeline) {
        if (!established(pipeline)) {
            return "";
        }
        Certificate[] chain;
        try {
            chain = pipeline.get(SslHandler.class).engine().getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return ""; // no certificate was asked for, or none was given
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            return "";
        }
        try {
            String cn = "";
            // Rdn order is the certificate's order, so the last CN found is the last one there
            for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                Attribute attribute = rdn.toAttributes().get("CN");
                if (attribute != null && attribute.get() instanceof String value) {
                    cn = value;
                }
            }
            return cn;
        } catch (NamingException e) {
            return ""; // the JDK printed a name it cannot read back: no CN to tell
        }
    }
}
