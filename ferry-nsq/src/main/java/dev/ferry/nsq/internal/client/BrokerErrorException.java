package dev.ferry.nsq.internal.client;

import dev.ferry.FerryException;

/** A broker answered with an error frame ({@code E_CODE description}); the message names the broker. */
final class BrokerErrorException extends FerryException {
    private static final long serialVersionUID = 1L;

    private final String code;

    BrokerErrorException(String address, String code, String text) {
        super("nsqd at " + address + " answered " + text);
        this.code = code;
    }

    /** The error code, e.g. {@code E_BAD_MESSAGE}. */
    String code() {
        return code;
    }
}
