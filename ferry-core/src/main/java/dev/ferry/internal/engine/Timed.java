package dev.ferry.internal.engine;

/** A heap node: {@code entry} is due at {@code at} if it still has {@code version}. */
record Timed(long at, Entry entry, int version) implements Comparable<Timed> {
    boolean valid() {
        return entry.version == version;
    }

    @Override
    public int compareTo(Timed other) {
        return Long.compare(at, other.at);
    }
}
