package dev.ferry.nsq;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an unencrypted PEM private key in each form nsqd (Go's {@code tls.X509KeyPair}) reads: PKCS#8
 * ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}, what {@code openssl genrsa
 * -traditional} and many test suites' fixtures hold) and SEC 1 EC ({@code BEGIN EC PRIVATE KEY}). The
 * JDK reads only the first; the other two are wrapped into PKCS#8 here (an algorithm identifier put
 * in front of the same key bytes), so no cryptography library is needed.
 *
 * <p>Stateless; safe from any thread.
 */
final class PemPrivateKey {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);

    /** rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters, as DER. */
    private static final byte[] RSA_ALGORITHM = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
    };

    /** id-ecPublicKey (1.2.840.10045.2.1), as the DER of the OID alone. */
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
    };

    private PemPrivateKey() {}

    /**
     * The first private key in {@code file}.
     *
     * @throws IllegalArgumentException saying what is wrong: no key in the file, an encrypted key, a
     *     key that cannot be decoded
     * @throws IOException when the file cannot be read
     */
    static PrivateKey read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher block = BLOCK.matcher(text);
        while (block.find()) {
            String type = block.group(1);
            if (!type.endsWith("PRIVATE KEY")) {
                continue;
            }
            String body = block.group(2);
            if (type.equals("ENCRYPTED PRIVATE KEY") || body.contains("Proc-Type:")) {
                throw new IllegalArgumentException(file + " holds an encrypted private key; give the key unencrypted"
                        + " (openssl pkey -in KEY -out PLAIN_KEY), as nsqd needs it too");
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": the " + type + " block is not valid base64", e);
            }
            return switch (type) {
                case "PRIVATE KEY" -> pkcs8(file, der, List.of("RSA", "EC", "Ed25519", "Ed448"));
                case "RSA PRIVATE KEY" -> pkcs8(file, pkcs8Of(RSA_ALGORITHM, der), List.of("RSA"));
                case "EC PRIVATE KEY" -> pkcs8(file, pkcs8OfEc(file, der), List.of("EC"));
                default ->
                    throw new IllegalArgumentException(file + " holds a key of a kind not read here (" + type
                            + "); give a PKCS#8, RSA or EC key in PEM");
            };
        }
        throw new IllegalArgumentException(
                file + " holds no PEM private key (a block such as -----BEGIN PRIVATE KEY-----,"
                        + " -----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
    }

    private static PrivateKey pkcs8(Path file, byte[] der, List<String> algorithms) {
        for (String algorithm : algorithms) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new IllegalArgumentException(file + ": the private key cannot be decoded (tried " + algorithms + ")");
    }

    /**
     * PKCS#8's PrivateKeyInfo around a key: SEQUENCE { INTEGER 0, algorithm, OCTET STRING key }.
     */
    private static byte[] pkcs8Of(byte[] algorithm, byte[] key) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.writeBytes(new byte[] {0x02, 0x01, 0x00});
        content.writeBytes(algorithm);
        content.writeBytes(tlv(0x04, key));
        return tlv(0x30, content.toByteArray());
    }

    /**
     * A SEC 1 ECPrivateKey (SEQUENCE { INTEGER 1, OCTET STRING, [0] curve OID, [1] public key }) in
     * PKCS#8: the curve goes into the algorithm identifier, the structure itself stays as it is.
     */
    private static byte[] pkcs8OfEc(Path file, byte[] sec1) {
        byte[] curve = null;
        try {
            int[] seq = header(sec1, 0);
            int at = seq[0];
            int end = at + seq[1];
            while (at < end) {
                int[] element = header(sec1, at);
                if ((sec1[at] & 0xff) == 0xa0) { // [0] EXPLICIT: the named curve's OID
                    curve = Arrays.copyOfRange(sec1, element[0], element[0] + element[1]);
                    break;
                }
                at = element[0] + element[1];
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(file + ": the EC PRIVATE KEY block is not a valid SEC 1 key", e);
        }
        if (curve == null) {
            throw new IllegalArgumentException(file + ": the EC private key names no curve; give it in PKCS#8"
                    + " (openssl pkcs8 -topk8 -nocrypt -in KEY -out PKCS8_KEY)");
        }
        ByteArrayOutputStream algorithm = new ByteArrayOutputStream();
        algorithm.writeBytes(EC_PUBLIC_KEY_OID);
        algorithm.writeBytes(curve);
        return pkcs8Of(tlv(0x30, algorithm.toByteArray()), sec1);
    }

    /** The offset of the content and its length, for the DER element at {@code at}. */
    private static int[] header(byte[] der, int at) {
        int first = der[at + 1] & 0xff;
        if (first < 0x80) {
            return new int[] {at + 2, first};
        }
        int bytes = first & 0x7f;
        int length = 0;
        for (int i = 0; i < bytes; i++) {
            length = (length << 8) | (der[at + 2 + i] & 0xff);
        }
        return new int[] {at + 2 + bytes, length};
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }
}
