package dev.arca.iam.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class JsonTest {
    @Test
    void parsesAllValueKinds() {
        Json.Value v = Json.parse(" {\"a\": [1, -2.5e3, \"x\", true, false, null, {}, []], \"b\": {\"c\": \"d\"}} ");
        assertThat(v).isInstanceOf(Json.Obj.class);
        Map<String, Json.Value> m = ((Json.Obj) v).members();
        assertThat(m.keySet()).containsExactly("a", "b");
        assertThat(((Json.Arr) m.get("a")).items()).containsExactly(new Json.Num("1"), new Json.Num("-2.5e3"),
                new Json.Str("x"), new Json.Bool(true), new Json.Bool(false), new Json.Null(), new Json.Obj(Map.of()),
                new Json.Arr(List.of()));
    }

    @Test
    void decodesEscapesAndSurrogatePairs() {
        Json.Value v = Json.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"");
        assertThat(v).isEqualTo(new Json.Str("a\"b\\c/d\b\f\n\r\t\u00e9\ud83d\ude00"));
        assertThat(Json.parse("\"\ud83d\ude00 raw\"")).isEqualTo(new Json.Str("\ud83d\ude00 raw"));
    }

    @TestFactory
    Stream<DynamicTest> rejectsMalformed() {
        String[][] table = {
            {"{\"a\":1,\"a\":2}", "duplicate key \"a\""},
            {"{\"a\":1,}", "expected a string key"},
            {"[1,]", "unexpected character ']'"},
            {"{\"a\" 1}", "expected ':'"},
            {"{\"a\":01}", "expected ',' or '}'"},
            {"{\"a\":1.}", "invalid number"},
            {"{\"a\":-}", "invalid number"},
            {"{\"a\":1e}", "invalid number"},
            {"{\"a\":tru}", "invalid literal"},
            {"{\"a\":\"x}", "unterminated string"},
            {"{\"a\":\"\\x\"}", "invalid escape"},
            {"{\"a\":\"\\u12\"}", "invalid \\u escape"},
            {"{\"a\":\"\\ud83d\"}", "unpaired surrogate escape"},
            {"{\"a\":\"\\ude00\"}", "unpaired surrogate escape"},
            {"{\"a\":\"\\ud83d\\u0041\"}", "unpaired surrogate escape"},
            {"{} {}", "unexpected content after the document"},
            {"{\"a\":1", "unexpected end of document"},
            {"", "unexpected end of document"},
            {"// c\n{}", "unexpected character '/'"},
            {"{'a':1}", "expected a string key"},
            {"{\"a\":NaN}", "unexpected character 'N'"},
        };
        return Stream.of(table).map(row -> DynamicTest.dynamicTest("[" + row[0] + "]", () ->
                assertThatThrownBy(() -> Json.parse(row[0])).isInstanceOf(PolicyException.class)
                        .hasMessageContaining(row[1]).hasMessageContaining("at position")));
    }

    @Test
    void rejectsControlCharactersAndLoneSurrogatesInStrings() {
        assertThatThrownBy(() -> Json.parse("\"a\u0001\"")).hasMessageContaining("control character");
        assertThatThrownBy(() -> Json.parse("\"a\ud83d\"")).hasMessageContaining("unpaired surrogate");
        assertThatThrownBy(() -> Json.parse("\"a\ude00\"")).hasMessageContaining("unpaired surrogate");
    }

    @Test
    void boundsDepthAndSize() {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(Json.parse(ok)).isInstanceOf(Json.Arr.class);
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertThatThrownBy(() -> Json.parse(deep)).hasMessageContaining("nesting deeper than " + Json.MAX_DEPTH);
        // A hostile depth far beyond the bound fails fast instead of overflowing the stack.
        String hostile = "[".repeat(100_000);
        assertThatThrownBy(() -> Json.parse(hostile)).isInstanceOf(PolicyException.class);
        String big = "\"" + "x".repeat(Json.MAX_CHARS) + "\"";
        assertThatThrownBy(() -> Json.parse(big)).hasMessageContaining("too large");
    }

    @Test
    void significantLengthIgnoresWhitespaceOutsideStrings() {
        assertThat(Json.significantLength("{ \"a b\" : [ 1 , 2 ] }\n")).isEqualTo("{\"a b\":[1,2]}".length());
        assertThat(Json.significantLength("{\"a\\\" b\": 1}")).isEqualTo("{\"a\\\" b\":1}".length());
        assertThat(Json.significantLength("  \t\r\n")).isZero();
    }
}
