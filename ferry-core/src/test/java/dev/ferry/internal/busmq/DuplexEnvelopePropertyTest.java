package dev.ferry.internal.busmq;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * What arrives on a duplex's queues is untrusted (any NSQ client may publish to them): any text
 * reads as an envelope or as a plain message, never as an exception, and what Ferry wraps reads
 * back as it was.
 */
class DuplexEnvelopePropertyTest {
    @Provide
    Arbitrary<String> body() {
        Arbitrary<String> json = Arbitraries.of(
                        "{\"type\":\"message\",\"message\":",
                        "{\"type\":",
                        "{\"type\":\"end\"}",
                        "{\"type\":null}",
                        "{\"type\":[1]}",
                        "{\"message\":{}}",
                        "{",
                        "{}",
                        "{} {}",
                        "null")
                .flatMap(prefix -> Arbitraries.strings().ofMaxLength(20).map(tail -> prefix + tail));
        return Arbitraries.oneOf(
                json,
                Arbitraries.strings().ofMaxLength(60),
                Arbitraries.strings().withChars("{}[]\":,\\ntypemsg").ofMaxLength(40));
    }

    @Property(tries = 500)
    void anyBodyReadsAsAnEnvelopeOrAsAPlainMessage(@ForAll("body") String body) {
        DuplexEnvelope e = DuplexEnvelope.parse(body);
        assertThat(e.type()).isNotNull();
        if (e.type() == DuplexEnvelope.Type.MESSAGE) {
            assertThat(e.message()).isNotNull();
        } else {
            assertThat(e.message()).isNull();
        }
    }

    @Property(tries = 200)
    void aWrappedMessageReadsBackAsItWas(@ForAll String text) {
        assertThat(DuplexEnvelope.parse(DuplexEnvelope.message(text)))
                .isEqualTo(new DuplexEnvelope(DuplexEnvelope.Type.MESSAGE, text));
    }
}
