package dev.arca.s3.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UriEncodingTest {

    @Test
    void decodePathDecodesUtf8EscapesAndKeepsPlus() {
        assertThat(UriEncoding.decodePath("/b/%41%2Fb+c")).isEqualTo("/b/A/b+c");
        assertThat(UriEncoding.decodePath("/caf%C3%A9")).isEqualTo("/café");
        assertThat(UriEncoding.decodePath("/caf%c3%a9")).as("lower-case hex").isEqualTo("/café");
        assertThat(UriEncoding.decodePath("/日本/%E8%AA%9E")).as("raw and escaped mix").isEqualTo("/日本/語");
        assertThat(UriEncoding.decodePath("/plain")).isEqualTo("/plain");
        assertThat(UriEncoding.decodePath("/%F0%9F%98%80")).isEqualTo("/😀");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%", "/a%4", "/a%G1", "/a%4g", "/%C3%28", "/%FF", "/%C3", "/%ED%A0%80"})
    void decodeRejectsMalformedEscapesAndInvalidUtf8(String raw) {
        Throwable thrown = catchThrowable(() -> UriEncoding.decodePath(raw));
        assertThat(thrown).isInstanceOf(StoreException.class);
        assertThat(((StoreException) thrown).kind()).isEqualTo(FailureKind.INVALID_URI);
        assertThat(catchThrowable(() -> UriEncoding.decodeQueryComponent(raw))).isInstanceOf(StoreException.class);
    }

    @Test
    void decodeQueryComponentTreatsPlusAsSpace() {
        assertThat(UriEncoding.decodeQueryComponent("a+b%2Bc%20d")).isEqualTo("a b+c d");
        assertThat(UriEncoding.decodeQueryComponent("")).isEmpty();
    }

    @Test
    void encodeFollowsTheSigV4Rules() {
        assertThat(UriEncoding.encode("AZaz09-_.~", true)).isEqualTo("AZaz09-_.~");
        assertThat(UriEncoding.encode("a b/c", true)).isEqualTo("a%20b%2Fc");
        assertThat(UriEncoding.encode("a b/c", false)).isEqualTo("a%20b/c");
        assertThat(UriEncoding.encode("=&?#+%*!'()$", true)).isEqualTo("%3D%26%3F%23%2B%25%2A%21%27%28%29%24");
        assertThat(UriEncoding.encode("é", true)).isEqualTo("%C3%A9");
        assertThat(UriEncoding.encode("😀", false)).isEqualTo("%F0%9F%98%80");
        assertThat(UriEncoding.encode("", true)).isEmpty();
    }

    @Test
    void encodeThenDecodeIsIdentityForArbitraryText() {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(12);
            for (int j = 0; j < length; j++) {
                int codePoint;
                do {
                    codePoint = random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x1F000);
                } while (Character.isSurrogate((char) codePoint) && codePoint <= 0xFFFF);
                s.appendCodePoint(codePoint);
            }
            String text = s.toString();
            assertThat(UriEncoding.decodePath(UriEncoding.encode(text, false))).isEqualTo(text);
            assertThat(UriEncoding.decodeQueryComponent(UriEncoding.encode(text, true))).isEqualTo(text);
        }
    }

    @Test
    void parseQueryKeepsOrderAndGivesBareNamesAnEmptyValue() {
        assertThat(UriEncoding.parseQuery("")).isEmpty();
        assertThat(UriEncoding.parseQuery(null)).isEmpty();
        assertThat(UriEncoding.parseQuery("uploads")).containsExactly(Map.entry("uploads", ""));
        assertThat(UriEncoding.parseQuery("b=2&a=&b=1"))
                .containsExactly(Map.entry("b", "2"), Map.entry("a", ""), Map.entry("b", "1"));
        assertThat(UriEncoding.parseQuery("x=1&&y&")).containsExactly(Map.entry("x", "1"), Map.entry("y", ""));
        assertThat(UriEncoding.parseQuery("k=v=w")).containsExactly(Map.entry("k", "v=w"));
        assertThat(UriEncoding.parseQuery("%E2%82%AC=a+b%2B")).containsExactly(Map.entry("€", "a b+"));
    }
}
