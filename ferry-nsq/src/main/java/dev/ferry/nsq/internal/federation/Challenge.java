package dev.ferry.nsq.internal.federation;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The federation challenge: a fresh random nonce from the broker, and the peer's answer,
 * HMAC-SHA256 under the shared secret of {@code "ferry-federate/1\n" + path + "\n" + name + "\n"}
 * followed by the nonce's bytes. The secret never travels; the path and the secret's name are in
 * the MAC so an answer cannot be moved to another endpoint or another secret, and the nonce is new
 * for every connection so it cannot be moved to another connection. Thread-safe.
 */
public final class Challenge {
    /** The protocol name the broker's challenge carries. */
    public static final String PROTOCOL = "ferry-federate/1";

    /** Bytes of a nonce. */
    public static final int NONCE_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Challenge() {}

    /** A fresh nonce. */
    public static byte[] nonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** The answer to {@code nonce} at {@code path} with the secret named {@code name}. */
    public static byte[] answer(String secret, byte[] nonce, String path, String name) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((PROTOCOL + "\n" + path + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(nonce);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** Whether {@code given} is the answer; compares in constant time. */
    public static boolean verify(String secret, byte[] nonce, String path, String name, byte[] given) {
        return MessageDigest.isEqual(answer(secret, nonce, path, name), given);
    }
}
