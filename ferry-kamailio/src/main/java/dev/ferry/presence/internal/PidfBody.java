package dev.ferry.presence.internal;

/**
 * The PIDF document (RFC 3863, with the data model of RFC 4479 and the activities of RFC 4480) of a
 * presence update, as Kamailio's nsq module built it from the event's {@code State}: {@code early} is
 * busy ({@code <rpid:busy/>}, note "Busy"), {@code confirmed} on the phone ({@code
 * <rpid:on-the-phone/>}, "On the Phone"), {@code offline} closed ("Offline"), anything else open and
 * "Available" with no activity. Stateless.
 */
final class PidfBody {
    static final String PIDF = "urn:ietf:params:xml:ns:pidf";
    static final String DATA_MODEL = "urn:ietf:params:xml:ns:pidf:data-model";
    static final String RPID = "urn:ietf:params:xml:ns:pidf:rpid";

    /** What a state shows: the basic status, the note and the rpid activity (empty: none). */
    record Shown(String basic, String note, String activity) {
        static Shown of(String state) {
            return switch (state) {
                case "early" -> new Shown("open", "Busy", "busy");
                case "confirmed" -> new Shown("open", "On the Phone", "on-the-phone");
                case "offline" -> new Shown("closed", "Offline", "");
                default -> new Shown("open", "Available", "");
            };
        }
    }

    private PidfBody() {}

    /**
     * The document.
     *
     * @param entity the presentity's URI
     * @param tupleId the tuple's id (the event's Call-ID)
     * @param state the event's {@code State}
     */
    static String of(String entity, String tupleId, String state) {
        Shown shown = Shown.of(state);
        XmlDocument doc = new XmlDocument(PIDF, "presence")
                .namespace("dm", DATA_MODEL)
                .namespace("rpid", RPID)
                .attribute("entity", entity)
                .start(PIDF, "tuple")
                .attribute("id", tupleId)
                .start(PIDF, "status")
                .element(PIDF, "basic", shown.basic())
                .end()
                .end()
                .element(PIDF, "note", shown.note())
                .start(DATA_MODEL, "person")
                .attribute("id", "1")
                .start(RPID, "activities");
        if (!shown.activity().isEmpty()) {
            doc.empty(RPID, shown.activity());
        }
        return doc.end().element(DATA_MODEL, "note", shown.note()).end().finish();
    }
}
