package dev.ferry.server;

/**
 * A listening or remote address given as nsqd takes it, {@code <addr>:<port>}: {@code 127.0.0.1:4150},
 * {@code [::1]:4150}, or {@code :4150} for every interface.
 */
record HostPort(String host, int port) {
    /**
     * Reads {@code text}, given as {@code flag}.
     *
     * @throws IllegalArgumentException naming the flag and the text
     */
    static HostPort parse(String flag, String text) {
        int colon = text.lastIndexOf(':');
        try {
            String host = colon <= 0 ? "0.0.0.0" : text.substring(0, colon);
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new HostPort(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(flag + " must be <addr>:<port>, got \"" + text + "\""
                    + (colon < 0 ? " (Ferry does not listen on unix sockets)" : ""));
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
