package dev.ferry.nsq;

import java.util.Objects;

/**
 * What a federating client proves it holds: the name of a secret the remote broker accepts and the
 * secret itself, which stays on this side (the client answers the broker's challenge with an HMAC of
 * it). Immutable; {@link #toString()} never shows the secret.
 *
 * @param name the secret's name at the broker
 * @param secret the shared secret
 */
public record FederationKey(String name, String secret) {
    /**
     * Checks that neither part is null or empty.
     *
     * @throws IllegalArgumentException when one is empty
     */
    public FederationKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(secret, "secret");
        if (name.isEmpty() || secret.isEmpty()) {
            throw new IllegalArgumentException("a federation key needs a name and a secret");
        }
    }

    @Override
    public String toString() {
        return "FederationKey[" + name + "]";
    }
}
