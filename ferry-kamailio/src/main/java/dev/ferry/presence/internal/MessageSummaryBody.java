package dev.ferry.presence.internal;

/**
 * The message-summary body (RFC 3842) of an MWI update, CRLF-terminated lines as Kamailio's nsq
 * module wrote them: {@code Messages-Waiting} and {@code Message-Account}, then {@code
 * Voice-Message: new/saved (urgent/urgent_saved)} when the event gives {@code Messages-New}, else
 * {@code Voice-Message: <MWI-Voice-Message>} when it gives that, else no voice line. Values must hold
 * no line break (the parser checks). Stateless.
 */
final class MessageSummaryBody {
    private MessageSummaryBody() {}

    /** The counts of {@code Voice-Message: new/saved (urgent/urgent_saved)}. */
    record Counts(String fresh, String saved, String urgent, String urgentSaved) {}

    /**
     * The body.
     *
     * @param counts the counts, or {@code null} when the event has no {@code Messages-New}
     * @param voiceMessage the event's {@code MWI-Voice-Message}, used without counts (may be empty)
     */
    static String of(String waiting, String account, Counts counts, String voiceMessage) {
        StringBuilder b = new StringBuilder()
                .append("Messages-Waiting: ")
                .append(waiting)
                .append("\r\n")
                .append("Message-Account: ")
                .append(account)
                .append("\r\n");
        if (counts != null) {
            b.append("Voice-Message: ")
                    .append(counts.fresh())
                    .append('/')
                    .append(counts.saved())
                    .append(" (")
                    .append(counts.urgent())
                    .append('/')
                    .append(counts.urgentSaved())
                    .append(")\r\n");
        } else if (!voiceMessage.isEmpty()) {
            b.append("Voice-Message: ").append(voiceMessage).append("\r\n");
        }
        return b.toString();
    }
}
