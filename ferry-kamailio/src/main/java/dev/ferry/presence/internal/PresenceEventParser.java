package dev.ferry.presence.internal;

import java.nio.charset.StandardCharsets;
import java.time.Clock;

/**
 * Turns one event's JSON into the presentity row it stands for, following Kamailio's nsq module
 * ({@code nsq_pua_publish}, Kamailio 5.0/5.1): only {@code Event-Name: update} is acted on, by {@code
 * Event-Package} ({@code presence}, {@code dialog}, {@code message-summary}); other events are
 * ignored. What the module would have written as a broken or useless row (a required field missing, a
 * value longer than Kamailio 5.6's column, a {@code Flush-Level} outside 0-3) is a {@link
 * MalformedEventException} here.
 *
 * <p>Times come from the clock: {@code received_time} is now, {@code expires} now plus {@code
 * Expires} when that is positive, else {@code Expires} itself (0 when absent). Thread-safe.
 */
public final class PresenceEventParser {
    /** Kamailio 5.6's presentity column sizes. */
    static final int MAX_USERNAME = 64;

    static final int MAX_DOMAIN = 64;
    static final int MAX_ETAG = 128;
    static final int MAX_SENDER = 255;

    /** What an event comes to: a row to write, or nothing (with why, for the counters and debug logs). */
    public sealed interface Parsed {}

    /** An event that updates the presentity table. */
    public record Write(PresentityRow row) implements Parsed {}

    /** An event that is not a presence update this consumer handles. */
    public record Ignore(String reason) implements Parsed {}

    private final Clock clock;
    private final boolean includeTargets;

    /**
     * A parser.
     *
     * @param includeTargets whether dialog bodies carry each side's {@code <target>} (Kamailio's
     *     {@code include entity} setting, on by default there)
     */
    public PresenceEventParser(Clock clock, boolean includeTargets) {
        this.clock = clock;
        this.includeTargets = includeTargets;
    }

    /**
     * Parses one event's body.
     *
     * @throws MalformedEventException saying why the event can never be written
     */
    public Parsed parse(byte[] body) throws MalformedEventException {
        EventFields f = EventFields.parse(body);
        String name = f.text("Event-Name");
        if (!name.equals("update")) {
            return new Ignore("Event-Name is \"" + name + "\", not \"update\"");
        }
        String pkg = f.text("Event-Package");
        long now = clock.instant().getEpochSecond();
        return switch (pkg) {
            case "presence" -> new Write(presence(f, now));
            case "dialog" -> new Write(dialog(f, now));
            case "message-summary" -> new Write(messageSummary(f, now));
            default -> new Ignore("Event-Package \"" + pkg + "\" is none of presence, dialog, message-summary");
        };
    }

    private static PresentityRow presence(EventFields f, long now) throws MalformedEventException {
        String what = "presence update";
        String user = f.required("From-User", what);
        f.required("To-User", what);
        String state = f.required("State", what);
        String realm = f.required("From-Realm", what);
        String callId = f.required("Call-ID", what);
        String from = f.required("From", what);
        String body = PidfBody.of("sip:" + user + "@" + realm, callId, state);
        return row(f, now, "presence", realm, user, callId, from, body, 3);
    }

    private PresentityRow dialog(EventFields f, long now) throws MalformedEventException {
        String what = "dialog update";
        String from = f.required("From", what);
        String to = f.required("To", what);
        String state = f.required("State", what);
        String pres = f.text("Presentity");
        String presUser = f.text("Presentity-User");
        String presRealm = f.text("Presentity-Realm");
        String fromUser = f.text("From-User");
        if (pres.isEmpty() || presUser.isEmpty() || presRealm.isEmpty()) {
            pres = from;
            presUser = fromUser;
            presRealm = f.text("From-Realm");
            if (presUser.isEmpty() || presRealm.isEmpty()) {
                throw new MalformedEventException(what + " without Presentity, Presentity-User and Presentity-Realm,"
                        + " and without From-User and From-Realm to fall back on");
            }
        }
        int level = f.integer("Flush-Level", 0);
        if (level < 0 || level > 3) {
            throw new MalformedEventException("Flush-Level must be 0 to 3, got " + level
                    + " (4 would delete every row of the presentity table, whatever its event)");
        }
        String callId = f.text("Call-ID");
        String body;
        String sender;
        if (callId.isEmpty()) {
            body = DialogInfoBody.terminated(pres);
            sender = pres;
        } else {
            String fromUri = f.text("From-URI");
            String toUri = f.text("To-URI");
            body = DialogInfoBody.of(
                    pres,
                    callId,
                    f.text("From-Tag"),
                    f.text("To-Tag"),
                    f.text("Direction"),
                    state,
                    new DialogInfoBody.Party(fromUser, from, fromUri.isEmpty() ? from : fromUri),
                    new DialogInfoBody.Party(f.text("To-User"), to, toUri.isEmpty() ? to : toUri),
                    includeTargets);
            sender = "sip:" + callId;
        }
        return row(f, now, "dialog", presRealm, presUser, callId, sender, body, 4 - level);
    }

    private static PresentityRow messageSummary(EventFields f, long now) throws MalformedEventException {
        String what = "message-summary update";
        String user = f.required("From-User", what);
        String realm = f.required("From-Realm", what);
        String callId = f.required("Call-ID", what);
        String from = f.required("From", what);
        String fresh = line(f, "Messages-New");
        MessageSummaryBody.Counts counts = fresh.isEmpty()
                ? null
                : new MessageSummaryBody.Counts(
                        fresh, line(f, "Messages-Saved"), line(f, "Messages-Urgent"), line(f, "Messages-Urgent-Saved"));
        String body = MessageSummaryBody.of(
                line(f, "Messages-Waiting"), line(f, "Message-Account"), counts, line(f, "MWI-Voice-Message"));
        return row(f, now, "message-summary", realm, user, callId, from, body, 3);
    }

    /** A value that goes into a line of the message-summary body: no line breaks. */
    private static String line(EventFields f, String name) throws MalformedEventException {
        String v = f.text(name);
        if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
            throw new MalformedEventException(name + " holds a line break, which would break the message-summary body");
        }
        return v;
    }

    private static PresentityRow row(
            EventFields f,
            long now,
            String event,
            String domain,
            String username,
            String etag,
            String sender,
            String body,
            int replacedKeys)
            throws MalformedEventException {
        fits("the domain", domain, MAX_DOMAIN);
        fits("the username", username, MAX_USERNAME);
        fits("the etag (Call-ID)", etag, MAX_ETAG);
        fits("the sender", sender, MAX_SENDER);
        int expires = f.integer("Expires", 0);
        long expiresAt = expires > 0 ? now + expires : expires;
        if (expiresAt > Integer.MAX_VALUE || now > Integer.MAX_VALUE) {
            throw new MalformedEventException("Expires " + expires
                    + " s runs past what the expires column holds (seconds since 1970 as a 32-bit integer)");
        }
        return new PresentityRow(
                event,
                domain,
                username,
                etag,
                sender,
                body.getBytes(StandardCharsets.UTF_8),
                (int) now,
                (int) expiresAt,
                replacedKeys);
    }

    private static void fits(String what, String value, int max) throws MalformedEventException {
        if (value.length() > max) {
            throw new MalformedEventException(
                    what + " is " + value.length() + " characters; the presentity table holds at most " + max);
        }
    }
}
