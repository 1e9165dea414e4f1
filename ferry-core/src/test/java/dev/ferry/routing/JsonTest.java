package dev.ferry.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static final String DOC = """
            {"Channels":[{"switch_url":"sip:a@10.0.0.1","Answered":true,"Legs":2}],
             "Realm":"example.com","Nothing":null,"Nested":{"a":{"b":[[1,2],[3,{"c":"deep"}]]}},
             "Price":1.5,"Empty":""}""";

    @Test
    void shouldReadTheModulePathSyntax() {
        assertThat(Json.path(DOC, "Channels[0].switch_url")).contains("sip:a@10.0.0.1");
        assertThat(Json.path(DOC, "Realm")).contains("example.com");
        assertThat(Json.path(DOC, "Nested.a.b[1][1].c")).contains("deep");
        assertThat(Json.path(DOC, "Empty")).contains("");
    }

    @Test
    void shouldAnswerNonStringValuesAsJsonText() {
        assertThat(Json.path(DOC, "Channels[0].Answered")).contains("true");
        assertThat(Json.path(DOC, "Channels[0].Legs")).contains("2");
        assertThat(Json.path(DOC, "Price")).contains("1.5");
        assertThat(Json.path(DOC, "Nested.a.b[0]")).contains("[1,2]");
        assertThat(Json.path(DOC, "Channels[0]"))
                .contains("{\"switch_url\":\"sip:a@10.0.0.1\",\"Answered\":true,\"Legs\":2}");
    }

    @Test
    void shouldAnswerEmptyForMissingValues() {
        assertThat(Json.path(DOC, "Missing")).isEmpty();
        assertThat(Json.path(DOC, "Channels[1].switch_url")).isEmpty();
        assertThat(Json.path(DOC, "Channels[0].switch_url.deeper")).isEmpty();
        assertThat(Json.path(DOC, "Realm[0]")).isEmpty();
        assertThat(Json.path(DOC, "Channels.switch_url")).isEmpty();
        assertThat(Json.path(DOC, "Nothing")).isEmpty();
        assertThat(Json.path("[{\"a\":1}]", "[0].a")).contains("1");
        assertThat(Json.path("[{\"a\":1}]", "[3].a")).isEmpty();
    }

    @Test
    void shouldRejectMalformedPathsAndDocuments() {
        for (String bad : List.of("", ".a", "a.", "a..b", "a[", "a[x]", "a[-1]", "a]", "a[0]b", "a.[0]")) {
            assertThatThrownBy(() -> Json.path(DOC, bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("bad JSON path '" + bad + "'");
        }
        assertThatThrownBy(() -> Json.path("{not json", "a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not JSON");
    }

    @Test
    void shouldEncodeValuesAsJsonText() {
        assertThat(Json.encode("plain")).isEqualTo("\"plain\"");
        assertThat(Json.encode("a\"b\\c\nd\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\"");
        assertThat(Json.encode("3c5a-ü@host")).isEqualTo("\"3c5a-ü@host\"");
        assertThat(Json.encode(42)).isEqualTo("42");
        assertThat(Json.encode(null)).isEqualTo("null");
        assertThat(Json.encode(Map.of("Call-ID", "x\"y"))).isEqualTo("{\"Call-ID\":\"x\\\"y\"}");
        String callId = "abc\"def";
        String doc = "{\"Call-ID\":" + Json.encode(callId) + "}";
        assertThat(Json.path(doc, "Call-ID")).contains(callId);
    }
}
