package dev.ferry.nsq;

import java.time.Duration;
import java.util.Objects;

/** The validations the option records share; each message names the setting and its value. */
final class Check {
    private Check() {}

    static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }

    static Duration notNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
        return value;
    }

    static long positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }

    /**
     * An nsqd TCP address: {@code host:port}, or a federation URL ({@code ws://host:port/path} or
     * {@code wss://...}) whose V2 protocol runs inside a WebSocket on the broker's HTTP port.
     */
    static String tcpOrFederation(String what, String address) {
        Objects.requireNonNull(address, what);
        if (dev.ferry.nsq.internal.federation.FederationUrl.isWebSocket(address)) {
            dev.ferry.nsq.internal.federation.FederationUrl.parse(address);
            return address;
        }
        return address(what, address);
    }

    /** {@code host:port} with a port in 1..65535. */
    static String address(String what, String address) {
        Objects.requireNonNull(address, what);
        int colon = address.lastIndexOf(':');
        boolean ok = colon > 0 && colon < address.length() - 1;
        if (ok) {
            try {
                int port = Integer.parseInt(address.substring(colon + 1));
                ok = port > 0 && port < 65536;
            } catch (NumberFormatException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException(what + " must be host:port, got \"" + address + '"');
        }
        return address;
    }
}
