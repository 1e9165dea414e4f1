package dev.ferry.presence.internal;

/**
 * The dialog-info document (RFC 4235) of a dialog update: one full-state document with one dialog,
 * as Kamailio's nsq module built it. Without a Call-ID it is the module's fixed "terminated" dialog.
 * Empty values leave their attribute out (Kamailio wrote {@code direction=""}). Stateless.
 */
final class DialogInfoBody {
    static final String DIALOG_INFO = "urn:ietf:params:xml:ns:dialog-info";

    /** The call-id Kamailio's module put in the dialog of an update without one. */
    static final String TERMINATED_CALL_ID = "76001e23e09704ea9e1257ebea85e1f3";

    /** One side of the dialog: the identity's display name and URI, and the target URI. */
    record Party(String display, String identity, String target) {}

    private DialogInfoBody() {}

    /**
     * The document of a dialog.
     *
     * @param entity the presentity's URI
     * @param localTag the From-Tag (may be empty)
     * @param remoteTag the To-Tag (may be empty)
     * @param direction {@code initiator} or {@code recipient} (may be empty)
     * @param includeTargets whether each side gets its {@code <target>} (Kamailio's "include entity")
     */
    static String of(
            String entity,
            String callId,
            String localTag,
            String remoteTag,
            String direction,
            String state,
            Party local,
            Party remote,
            boolean includeTargets) {
        XmlDocument doc = root(entity)
                .start(DIALOG_INFO, "dialog")
                .attribute("id", callId)
                .attribute("call-id", callId)
                .optionalAttribute("local-tag", localTag)
                .optionalAttribute("remote-tag", remoteTag)
                .optionalAttribute("direction", direction)
                .element(DIALOG_INFO, "state", state);
        party(doc, "local", local, includeTargets);
        party(doc, "remote", remote, includeTargets);
        return doc.end().finish();
    }

    /** The fixed document of an update without a Call-ID: one terminated dialog. */
    static String terminated(String entity) {
        return root(entity)
                .start(DIALOG_INFO, "dialog")
                .attribute("id", TERMINATED_CALL_ID)
                .attribute("call-id", TERMINATED_CALL_ID)
                .attribute("direction", "initiator")
                .element(DIALOG_INFO, "state", "terminated")
                .end()
                .finish();
    }

    private static XmlDocument root(String entity) {
        return new XmlDocument(DIALOG_INFO, "dialog-info")
                .attribute("version", "1")
                .attribute("state", "full")
                .attribute("entity", entity);
    }

    private static void party(XmlDocument doc, String side, Party p, boolean includeTargets) {
        doc.start(DIALOG_INFO, side)
                .start(DIALOG_INFO, "identity")
                .optionalAttribute("display", p.display())
                .characters(p.identity())
                .end();
        if (includeTargets) {
            doc.empty(DIALOG_INFO, "target").attribute("uri", p.target());
        }
        doc.end();
    }
}
