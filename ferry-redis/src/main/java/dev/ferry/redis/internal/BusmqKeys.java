package dev.ferry.redis.internal;

/**
 * The Redis keys of one queue in node busmq 3.1's layout (its default, non-cluster layout):
 * {@code bus:queue:NAME:metadata} (hash: ttl, source, discover, maxsize; the queue exists while it
 * does), {@code :messages} (list of id, message pairs), {@code :msgid} (the id counter), {@code
 * :toack} (reliable mode's pairs taken and not acknowledged) and the pub/sub channel {@code
 * :available} that every push notifies.
 *
 * @param metadata the metadata hash
 * @param messages the list of pairs
 * @param msgid the id counter
 * @param toack the pairs awaiting acknowledgement
 * @param available the pub/sub channel of pushes
 */
record BusmqKeys(String metadata, String messages, String msgid, String toack, String available) {

    /** The keys of queue {@code name}. */
    static BusmqKeys of(String name) {
        String id = "bus:queue:" + name;
        return new BusmqKeys(id + ":metadata", id + ":messages", id + ":msgid", id + ":toack", id + ":available");
    }

    /** The four keys that expire together, in the order the scripts take them. */
    String[] all() {
        return new String[] {metadata, messages, msgid, toack};
    }
}
