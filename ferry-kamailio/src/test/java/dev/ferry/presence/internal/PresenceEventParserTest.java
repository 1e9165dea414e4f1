package dev.ferry.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.presence.internal.PresenceEventParser.Ignore;
import dev.ferry.presence.internal.PresenceEventParser.Write;
import dev.ferry.testing.Xml;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.w3c.dom.Element;

/** Each package and state becomes the row and the body Kamailio's nsq module wrote; bodies are parsed back. */
class PresenceEventParserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = 1_780_000_000L;
    private final PresenceEventParser parser =
            new PresenceEventParser(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC), true);

    private static ObjectNode event(String pkg) {
        return JSON.createObjectNode().put("Event-Name", "update").put("Event-Package", pkg);
    }

    private static ObjectNode presence(String state) {
        return event("presence")
                .put("From", "sip:alice@example.com")
                .put("From-User", "alice")
                .put("From-Realm", "example.com")
                .put("To-User", "alice")
                .put("Call-ID", "c1")
                .put("State", state);
    }

    private static ObjectNode dialog() {
        return event("dialog")
                .put("From", "sip:alice@example.com")
                .put("From-User", "alice")
                .put("From-Realm", "example.com")
                .put("From-URI", "sip:alice@10.0.0.1")
                .put("To", "sip:bob@example.com")
                .put("To-User", "bob")
                .put("Call-ID", "call-1")
                .put("From-Tag", "ft")
                .put("To-Tag", "tt")
                .put("Direction", "initiator")
                .put("State", "confirmed");
    }

    private static ObjectNode mwi() {
        return event("message-summary")
                .put("From", "sip:alice@example.com")
                .put("From-User", "alice")
                .put("From-Realm", "example.com")
                .put("Call-ID", "m1")
                .put("Messages-Waiting", "yes")
                .put("Message-Account", "sip:alice@example.com");
    }

    private PresentityRow row(ObjectNode event) throws MalformedEventException {
        PresenceEventParser.Parsed parsed = parser.parse(bytes(event));
        assertThat(parsed).isInstanceOf(Write.class);
        return ((Write) parsed).row();
    }

    private static byte[] bytes(Object event) {
        return event.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String body(PresentityRow row) {
        return new String(row.body(), StandardCharsets.UTF_8);
    }

    private String malformed(Object event) {
        return assertThatThrownBy(() -> parser.parse(bytes(event)))
                .isInstanceOf(MalformedEventException.class)
                .actual()
                .getMessage();
    }

    @ParameterizedTest
    @CsvSource({
        "early,     open,   Busy,         busy",
        "confirmed, open,   On the Phone, on-the-phone",
        "offline,   closed, Offline,      ''",
        "online,    open,   Available,    ''",
        "terminated,open,   Available,    ''"
    })
    void shouldWriteAPidfDocumentForEachPresenceState(String state, String basic, String note, String activity)
            throws Exception {
        PresentityRow row = row(presence(state));
        assertThat(row.event()).isEqualTo("presence");
        assertThat(row.domain()).isEqualTo("example.com");
        assertThat(row.username()).isEqualTo("alice");
        assertThat(row.etag()).isEqualTo("c1");
        assertThat(row.sender()).isEqualTo("sip:alice@example.com");
        assertThat(row.replacedKeys()).as("replaces on event, domain, username").isEqualTo(3);

        Element presence = Xml.parse(body(row));
        assertThat(presence.getNamespaceURI()).isEqualTo(PidfBody.PIDF);
        assertThat(presence.getLocalName()).isEqualTo("presence");
        assertThat(presence.getAttribute("entity")).isEqualTo("sip:alice@example.com");
        Element tuple = Xml.only(presence, PidfBody.PIDF, "tuple");
        assertThat(tuple.getAttribute("id")).isEqualTo("c1");
        Element status = Xml.only(tuple, PidfBody.PIDF, "status");
        assertThat(Xml.only(status, PidfBody.PIDF, "basic").getTextContent()).isEqualTo(basic);
        assertThat(Xml.only(presence, PidfBody.PIDF, "note").getTextContent()).isEqualTo(note);
        Element person = Xml.only(presence, PidfBody.DATA_MODEL, "person");
        assertThat(person.getAttribute("id")).isEqualTo("1");
        assertThat(Xml.only(person, PidfBody.DATA_MODEL, "note").getTextContent())
                .isEqualTo(note);
        Element activities = Xml.only(person, PidfBody.RPID, "activities");
        List<Element> shown = Xml.children(activities);
        if (activity.isEmpty()) {
            assertThat(shown).isEmpty();
        } else {
            assertThat(shown).singleElement().satisfies(a -> {
                assertThat(a.getNamespaceURI()).isEqualTo(PidfBody.RPID);
                assertThat(a.getLocalName()).isEqualTo(activity);
            });
        }
    }

    @Test
    void shouldEscapeValuesInTheXml() throws Exception {
        String odd = "a<b>&\"c'";
        PresentityRow row = row(presence("early").put("Call-ID", odd).put("From-Realm", "x&y"));
        Element presence = Xml.parse(body(row));
        assertThat(presence.getAttribute("entity")).isEqualTo("sip:alice@x&y");
        assertThat(Xml.only(presence, PidfBody.PIDF, "tuple").getAttribute("id"))
                .isEqualTo(odd);

        PresentityRow d = row(dialog().put("From", "\"Al <ice>\" <sip:a@b>").put("From-User", "A&B"));
        Element local = Xml.only(
                Xml.only(Xml.parse(body(d)), DialogInfoBody.DIALOG_INFO, "dialog"),
                DialogInfoBody.DIALOG_INFO,
                "local");
        Element identity = Xml.only(local, DialogInfoBody.DIALOG_INFO, "identity");
        assertThat(identity.getTextContent()).isEqualTo("\"Al <ice>\" <sip:a@b>");
        assertThat(identity.getAttribute("display")).isEqualTo("A&B");
    }

    @Test
    void shouldWriteADialogInfoDocumentWithTagsDirectionAndTargets() throws Exception {
        PresentityRow row = row(dialog());
        assertThat(row.event()).isEqualTo("dialog");
        assertThat(row.username()).isEqualTo("alice");
        assertThat(row.domain()).isEqualTo("example.com");
        assertThat(row.etag()).isEqualTo("call-1");
        assertThat(row.sender()).isEqualTo("sip:call-1");
        assertThat(row.replacedKeys()).as("Flush-Level 0: this dialog only").isEqualTo(4);

        String ns = DialogInfoBody.DIALOG_INFO;
        Element info = Xml.parse(body(row));
        assertThat(info.getLocalName()).isEqualTo("dialog-info");
        assertThat(info.getNamespaceURI()).isEqualTo(ns);
        assertThat(info.getAttribute("version")).isEqualTo("1");
        assertThat(info.getAttribute("state")).isEqualTo("full");
        assertThat(info.getAttribute("entity")).isEqualTo("sip:alice@example.com");
        Element dialog = Xml.only(info, ns, "dialog");
        assertThat(dialog.getAttribute("id")).isEqualTo("call-1");
        assertThat(dialog.getAttribute("call-id")).isEqualTo("call-1");
        assertThat(dialog.getAttribute("local-tag")).isEqualTo("ft");
        assertThat(dialog.getAttribute("remote-tag")).isEqualTo("tt");
        assertThat(dialog.getAttribute("direction")).isEqualTo("initiator");
        assertThat(Xml.only(dialog, ns, "state").getTextContent()).isEqualTo("confirmed");
        Element local = Xml.only(dialog, ns, "local");
        assertThat(Xml.only(local, ns, "identity").getAttribute("display")).isEqualTo("alice");
        assertThat(Xml.only(local, ns, "identity").getTextContent()).isEqualTo("sip:alice@example.com");
        assertThat(Xml.only(local, ns, "target").getAttribute("uri")).isEqualTo("sip:alice@10.0.0.1");
        Element remote = Xml.only(dialog, ns, "remote");
        assertThat(Xml.only(remote, ns, "identity").getAttribute("display")).isEqualTo("bob");
        assertThat(Xml.only(remote, ns, "identity").getTextContent()).isEqualTo("sip:bob@example.com");
        assertThat(Xml.only(remote, ns, "target").getAttribute("uri"))
                .as("To-URI absent: the To")
                .isEqualTo("sip:bob@example.com");
    }

    @Test
    void shouldLeaveOutTargetsTagsAndDirectionWhenNotGiven() throws Exception {
        PresenceEventParser noTargets =
                new PresenceEventParser(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC), false);
        ObjectNode event = dialog();
        event.remove(List.of("From-Tag", "To-Tag", "Direction"));
        PresentityRow row = ((Write) noTargets.parse(bytes(event))).row();
        String ns = DialogInfoBody.DIALOG_INFO;
        Element dialog = Xml.only(Xml.parse(body(row)), ns, "dialog");
        assertThat(dialog.hasAttribute("local-tag")).isFalse();
        assertThat(dialog.hasAttribute("remote-tag")).isFalse();
        assertThat(dialog.hasAttribute("direction")).isFalse();
        assertThat(Xml.children(Xml.only(dialog, ns, "local")))
                .extracting(Element::getLocalName)
                .containsExactly("identity");
        assertThat(Xml.children(Xml.only(dialog, ns, "remote")))
                .extracting(Element::getLocalName)
                .containsExactly("identity");
    }

    @Test
    void shouldUseThePresentityFieldsAndFallBackToFromWhenOneIsMissing() throws Exception {
        ObjectNode event = dialog().put("Presentity", "sip:queue@example.org")
                .put("Presentity-User", "queue")
                .put("Presentity-Realm", "example.org");
        PresentityRow row = row(event);
        assertThat(row.username()).isEqualTo("queue");
        assertThat(row.domain()).isEqualTo("example.org");
        assertThat(Xml.parse(body(row)).getAttribute("entity")).isEqualTo("sip:queue@example.org");

        event.remove("Presentity-Realm");
        PresentityRow fallback = row(event);
        assertThat(fallback.username()).isEqualTo("alice");
        assertThat(fallback.domain()).isEqualTo("example.com");
        assertThat(Xml.parse(body(fallback)).getAttribute("entity")).isEqualTo("sip:alice@example.com");
    }

    @Test
    void shouldWriteTheFixedTerminatedDialogWithoutACallId() throws Exception {
        ObjectNode event = dialog();
        event.remove("Call-ID");
        PresentityRow row = row(event);
        assertThat(row.etag()).isEmpty();
        assertThat(row.sender()).isEqualTo("sip:alice@example.com");
        String ns = DialogInfoBody.DIALOG_INFO;
        Element dialog = Xml.only(Xml.parse(body(row)), ns, "dialog");
        assertThat(dialog.getAttribute("call-id")).isEqualTo(DialogInfoBody.TERMINATED_CALL_ID);
        assertThat(dialog.getAttribute("direction")).isEqualTo("initiator");
        assertThat(Xml.only(dialog, ns, "state").getTextContent()).isEqualTo("terminated");
        assertThat(Xml.children(dialog)).extracting(Element::getLocalName).containsExactly("state");
    }

    @ParameterizedTest
    @CsvSource({"0, 4", "1, 3", "2, 2", "3, 1"})
    void shouldReplaceFewerKeysTheHigherTheFlushLevel(int level, int keys) throws Exception {
        assertThat(row(dialog().put("Flush-Level", level)).replacedKeys()).isEqualTo(keys);
        assertThat(row(dialog().put("Flush-Level", Integer.toString(level))).replacedKeys())
                .as("as a string")
                .isEqualTo(keys);
    }

    @Test
    void shouldRefuseAFlushLevelOutsideZeroToThree() {
        assertThat(malformed(dialog().put("Flush-Level", 4)))
                .isEqualTo("Flush-Level must be 0 to 3, got 4"
                        + " (4 would delete every row of the presentity table, whatever its event)");
        assertThat(malformed(dialog().put("Flush-Level", -1))).startsWith("Flush-Level must be 0 to 3, got -1");
        assertThat(malformed(dialog().put("Flush-Level", "all")))
                .isEqualTo("Flush-Level must be a whole number, got \"all\"");
    }

    @Test
    void shouldWriteTheMessageSummaryWithCountsWhenMessagesNewIsGiven() throws Exception {
        PresentityRow row = row(mwi().put("Messages-New", 2)
                .put("Messages-Saved", 5)
                .put("Messages-Urgent", 1)
                .put("Messages-Urgent-Saved", 0)
                .put("MWI-Voice-Message", "ignored/when counts"));
        assertThat(row.event()).isEqualTo("message-summary");
        assertThat(row.username()).isEqualTo("alice");
        assertThat(row.domain()).isEqualTo("example.com");
        assertThat(row.etag()).isEqualTo("m1");
        assertThat(row.sender()).isEqualTo("sip:alice@example.com");
        assertThat(row.replacedKeys()).isEqualTo(3);
        assertThat(body(row))
                .isEqualTo("Messages-Waiting: yes\r\nMessage-Account: sip:alice@example.com\r\n"
                        + "Voice-Message: 2/5 (1/0)\r\n");
    }

    @Test
    void shouldWriteTheVoiceMessageLineAsGivenWithoutCounts() throws Exception {
        assertThat(body(row(mwi().put("MWI-Voice-Message", "3/4"))))
                .isEqualTo("Messages-Waiting: yes\r\nMessage-Account: sip:alice@example.com\r\nVoice-Message: 3/4\r\n");
        assertThat(body(row(mwi().put("Messages-Waiting", "no"))))
                .isEqualTo("Messages-Waiting: no\r\nMessage-Account: sip:alice@example.com\r\n");
    }

    @Test
    void shouldRefuseALineBreakInAMessageSummaryValue() {
        assertThat(malformed(mwi().put("Message-Account", "a\r\nVoice-Message: 99/99")))
                .isEqualTo("Message-Account holds a line break, which would break the message-summary body");
    }

    @Test
    void shouldExpireAtNowPlusExpiresWhenPositiveElseTakeTheValueAsItIs() throws Exception {
        assertThat(row(presence("early").put("Expires", 3600)).expires()).isEqualTo((int) NOW + 3600);
        assertThat(row(presence("early").put("Expires", "60")).expires()).isEqualTo((int) NOW + 60);
        assertThat(row(presence("early").put("Expires", 0)).expires()).isZero();
        assertThat(row(presence("early").put("Expires", -1)).expires()).isEqualTo(-1);
        assertThat(row(presence("early")).expires()).as("absent").isZero();
        assertThat(row(presence("early")).receivedTime()).isEqualTo((int) NOW);
        assertThat(malformed(presence("early").put("Expires", "soon")))
                .isEqualTo("Expires must be a whole number, got \"soon\"");
        assertThat(malformed(presence("early").put("Expires", Integer.MAX_VALUE)))
                .startsWith("Expires 2147483647 s runs past what the expires column holds");
    }

    @Test
    void shouldIgnoreEventsThatAreNotUpdatesOfAKnownPackage() throws Exception {
        assertThat(parser.parse(bytes(presence("early").put("Event-Name", "probe"))))
                .isEqualTo(new Ignore("Event-Name is \"probe\", not \"update\""));
        assertThat(parser.parse(bytes(presence("early").put("Event-Name", "Update"))))
                .as("compared exactly, as Kamailio did")
                .isInstanceOf(Ignore.class);
        assertThat(parser.parse(bytes(event("call-info"))))
                .isEqualTo(new Ignore("Event-Package \"call-info\" is none of presence, dialog, message-summary"));
    }

    @Test
    void shouldSayWhyAnEventIsMalformed() {
        assertThat(malformed("{nope")).startsWith("not JSON: ");
        assertThat(malformed("")).isEqualTo("empty body, not a JSON object");
        assertThat(malformed("[1]")).isEqualTo("not a JSON object but an array");
        ObjectNode noState = presence("early");
        noState.remove("State");
        assertThat(malformed(noState)).isEqualTo("presence update without State");
        ObjectNode noTo = dialog();
        noTo.remove("To");
        assertThat(malformed(noTo)).isEqualTo("dialog update without To");
        ObjectNode noRealm = mwi();
        noRealm.remove("From-Realm");
        assertThat(malformed(noRealm)).isEqualTo("message-summary update without From-Realm");
        ObjectNode objectUser = presence("early");
        objectUser.putObject("From-User").put("x", 1);
        assertThat(malformed(objectUser)).isEqualTo("From-User must be a string, not an object");
        assertThat(malformed(presence("early").put("State", "ear\u0001ly")))
                .isEqualTo("State holds a character XML cannot carry (U+0001 at position 3)");
        assertThat(malformed(presence("early").put("From-User", "u".repeat(65))))
                .isEqualTo("the username is 65 characters; the presentity table holds at most 64");
    }
}
