package dev.ferry.presence.internal;

import java.util.Arrays;
import java.util.Objects;

/**
 * One row for Kamailio's presentity table, and which earlier rows it replaces: those equal to it on
 * the first {@code replacedKeys} of (event, domain, username, etag). Presence and message-summary
 * replace on 3 (the presentity's state for that event); dialog on 4 minus its flush level.
 *
 * @param event the event package ({@code presence}, {@code dialog}, {@code message-summary})
 * @param domain the presentity's domain
 * @param username the presentity's user
 * @param etag the entity tag (the event's Call-ID)
 * @param sender who published the state
 * @param body the NOTIFY body, UTF-8
 * @param receivedTime when the event was read, in seconds since the epoch
 * @param expires when the row expires, in seconds since the epoch, or the event's own value when it
 *     gave none that is positive
 * @param replacedKeys 1 to 4
 */
public record PresentityRow(
        String event,
        String domain,
        String username,
        String etag,
        String sender,
        byte[] body,
        int receivedTime,
        int expires,
        int replacedKeys) {
    /** Checks the fields. */
    public PresentityRow {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(body, "body");
        if (replacedKeys < 1 || replacedKeys > 4) {
            throw new IllegalArgumentException("replacedKeys must be 1 to 4, got " + replacedKeys);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PresentityRow r
                && event.equals(r.event)
                && domain.equals(r.domain)
                && username.equals(r.username)
                && etag.equals(r.etag)
                && sender.equals(r.sender)
                && Arrays.equals(body, r.body)
                && receivedTime == r.receivedTime
                && expires == r.expires
                && replacedKeys == r.replacedKeys;
    }

    @Override
    public int hashCode() {
        return Objects.hash(event, domain, username, etag, sender, Arrays.hashCode(body), receivedTime, expires);
    }

    @Override
    public String toString() {
        return "PresentityRow[" + event + " " + username + "@" + domain + " etag=" + etag + " sender=" + sender
                + " expires=" + expires + " replacedKeys=" + replacedKeys + "]";
    }
}
