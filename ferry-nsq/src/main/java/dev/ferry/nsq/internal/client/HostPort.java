package dev.ferry.nsq.internal.client;

/** A {@code host:port} address (IPv6 hosts in brackets or bare before the last colon). */
record HostPort(String host, int port) {
    /** Parses {@code host:port}; the options have checked the form already. */
    static HostPort parse(String address) {
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new HostPort(host, Integer.parseInt(address.substring(colon + 1)));
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
