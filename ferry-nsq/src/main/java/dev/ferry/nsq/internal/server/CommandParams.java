package dev.ferry.nsq.internal.server;

import dev.ferry.nsq.internal.protocol.NsqError;

/** Reading the numeric parameters of V2 commands as nsqd does (Go's {@code strconv} with base 10). */
final class CommandParams {
    private CommandParams() {}

    /**
     * A non-negative base-10 number of at most about {@code Integer.MAX_VALUE * 10}, or a fatal
     * {@code E_INVALID} with {@code error} (empty, a sign or another character, too big).
     */
    static long base10(String raw, String error) {
        if (raw.isEmpty()) {
            throw NsqError.fatal("E_INVALID", error);
        }
        long value = 0;
        for (int i = 0; i < raw.length(); i++) {
            char ch = raw.charAt(i);
            if (ch < '0' || ch > '9' || value > Integer.MAX_VALUE) {
                throw NsqError.fatal("E_INVALID", error);
            }
            value = value * 10 + (ch - '0');
        }
        return value;
    }
}
