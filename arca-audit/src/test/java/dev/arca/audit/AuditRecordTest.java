package dev.arca.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AuditRecordTest {
    @Test
    void jsonHasAStableShapeAndRoundTrips() {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("z", "last");
        details.put("a", "first");
        AuditRecord r = new AuditRecord(1234, "req-1", "request", "AKIAX", "acct", "10.1.2.3", "PutObject", "b",
                "dir/k\"ey\\\n", null, 403, "AccessDenied", 5, 0, true, details);
        String json = r.toJson();
        assertThat(json).isEqualTo("{\"timeMillis\":1234,\"requestId\":\"req-1\",\"kind\":\"request\",\"principal\":\"AKIAX\","
                + "\"account\":\"acct\",\"sourceIp\":\"10.1.2.3\",\"operation\":\"PutObject\",\"bucket\":\"b\","
                + "\"key\":\"dir/k\\\"ey\\\\\\n\",\"versionId\":null,\"status\":403,\"errorCode\":\"AccessDenied\","
                + "\"bytesIn\":5,\"bytesOut\":0,\"tls\":true,\"details\":{\"a\":\"first\",\"z\":\"last\"}}");
        assertThat(AuditRecord.fromJson(json)).isEqualTo(r);
        assertThat(AuditRecord.fromJson(json).toJson()).isEqualTo(json);
    }

    @Test
    void detailsAreCopiedSortedAndUnmodifiable() {
        Map<String, String> details = new HashMap<>(Map.of("k", "v"));
        AuditRecord r = new AuditRecord(0, "r", "admin", null, null, null, "CreateUser", null, null, null, 200, null, 0, 0,
                false, details);
        details.put("x", "y");
        assertThat(r.details()).containsExactly(Map.entry("k", "v"));
        assertThatThrownBy(() -> r.details().put("a", "b")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(new AuditRecord(0, "r", "admin", null, null, null, "op", null, null, null, 0, null, 0, 0, false, null)
                .details()).isEmpty();
    }

    @Test
    void rejectsBadKindsAndMissingRequiredFields() {
        assertThatThrownBy(() -> new AuditRecord(0, "r", "other", null, null, null, "op", null, null, null, 0, null, 0, 0,
                false, Map.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kind");
        assertThatThrownBy(() -> new AuditRecord(0, null, "admin", null, null, null, "op", null, null, null, 0, null, 0, 0,
                false, Map.of())).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new AuditRecord(0, "r", "admin", null, null, null, null, null, null, null, 0, null, 0, 0,
                false, Map.of())).isInstanceOf(NullPointerException.class);
    }

    @Test
    void escapesControlCharactersSeparatorsAndLoneSurrogates() {
        String nasty = "a\u0000b\u001fc\u007fd\u2028e\u2029f\uD800g\uDC00h\uD83D\uDE00i\r\t\b\f";
        AuditRecord r = AuditTestSupport.record(1);
        r = new AuditRecord(r.timeMillis(), r.requestId(), r.kind(), r.principal(), r.account(), r.sourceIp(), r.operation(),
                r.bucket(), nasty, r.versionId(), r.status(), r.errorCode(), r.bytesIn(), r.bytesOut(), r.tls(),
                Map.of(nasty, nasty));
        String json = r.toJson();
        for (char c : json.toCharArray()) {
            assertThat(c >= 0x20 && c != 0x7f && c != '\u2028' && c != '\u2029').as("char %04x", (int) c).isTrue();
        }
        assertThat(json).contains("\uD83D\uDE00").contains("\\ud800").contains("\\udc00");
        // The UTF-8 form is lossless, so the bytes the chain hashes decode back to the same record.
        String decoded = new String(json.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertThat(AuditRecord.fromJson(decoded)).isEqualTo(r);
    }

    @Test
    void parserIsStrict() {
        String good = AuditTestSupport.record(2).toJson();
        assertThat(AuditRecord.fromJson(" " + good.replace(",", " , ") + " ")).isEqualTo(AuditTestSupport.record(2));
        String[] bad = {
            "",
            "{}",
            good + "x",
            good.substring(0, good.length() - 1),
            good.replace("\"requestId\"", "\"requestID\""),
            good.replace("\"status\":200", "\"status\":\"200\""),
            good.replace("\"status\":200", "\"status\":2.5"),
            good.replace("\"status\":200", "\"status\":0200"),
            good.replace("\"status\":200", "\"status\":99999999999"),
            good.replace("\"tls\":false", "\"tls\":0"),
            good.replace("\"kind\":\"request\"", "\"kind\":null"),
            good.replace("\"kind\":\"request\"", "\"kind\":\"weird\""),
            good.replace("\"bucket\":\"photos\"", "\"bucket\":\"pho\\xtos\""),
            good.replace("\"bucket\":\"photos\"", "\"bucket\":\"pho\ntos\""),
            good.replace("\"bucket\":\"photos\"", "\"bucket\":\"pho\\u00ztos\""),
            good.replace("{\"n\":\"2\",\"ua\":\"aws-cli/2\"}", "{\"n\":\"2\",\"n\":\"3\"}"),
            good.replace("{\"n\":\"2\",\"ua\":\"aws-cli/2\"}", "{\"n\":2}"),
            // fields in another order
            good.replace("\"timeMillis\":1750000000002,\"requestId\":\"req-2\"", "\"requestId\":\"req-2\",\"timeMillis\":1750000000002"),
        };
        for (String s : bad) {
            assertThatThrownBy(() -> AuditRecord.fromJson(s)).as(s).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void randomRecordsRoundTrip() {
        SplittableRandom rnd = AuditTestSupport.random("AuditRecordTest.randomRecordsRoundTrip");
        String[] kinds = {"request", "admin", "detection", "response"};
        for (int i = 0; i < 5_000; i++) {
            Map<String, String> details = new HashMap<>();
            int n = rnd.nextInt(4);
            for (int k = 0; k < n; k++) {
                details.put(randomString(rnd), randomString(rnd));
            }
            AuditRecord r = new AuditRecord(rnd.nextLong(), randomString(rnd), kinds[rnd.nextInt(4)], maybe(rnd),
                    maybe(rnd), maybe(rnd), randomString(rnd), maybe(rnd), maybe(rnd), maybe(rnd), rnd.nextInt(),
                    maybe(rnd), rnd.nextLong(), rnd.nextLong(), rnd.nextBoolean(), details);
            String json = r.toJson();
            assertThat(json).doesNotContain("\n");
            assertThat(AuditRecord.fromJson(json)).isEqualTo(r);
        }
    }

    private static String maybe(SplittableRandom rnd) {
        return rnd.nextInt(4) == 0 ? null : randomString(rnd);
    }

    private static String randomString(SplittableRandom rnd) {
        int n = rnd.nextInt(12);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(switch (rnd.nextInt(6)) {
                case 0 -> (char) rnd.nextInt(0x20);
                case 1 -> "\"\\/".charAt(rnd.nextInt(3));
                case 2 -> (char) rnd.nextInt(0x10000); // may be a lone surrogate
                case 3 -> "\uD83D\uDE00";
                default -> (char) ('a' + rnd.nextInt(26));
            });
        }
        return b.toString();
    }
}
