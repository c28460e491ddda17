package dev.arca.object.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.meta.MetadataCorruptException;
import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.ObjectData;
import dev.arca.meta.ObjectRecord;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LifecycleConfigurationTest {
    private static final LifecycleFilter ALL = new LifecycleFilter.All();
    private static final Expiration DAYS_30 = new Expiration.Days(30);

    private static LifecycleRule rule(String id, LifecycleFilter filter, Expiration e) {
        return new LifecycleRule(id, true, filter, e, null, null);
    }

    private static LifecycleConfiguration config(LifecycleRule... rules) {
        return new LifecycleConfiguration(List.of(rules));
    }

    static Stream<Arguments> invalid() {
        List<LifecycleRule> tooMany = new ArrayList<>();
        for (int i = 0; i <= LifecycleConfiguration.MAX_RULES; i++) {
            tooMany.add(rule("r" + i, ALL, DAYS_30));
        }
        return Stream.of(
                bad("no rules", () -> new LifecycleConfiguration(List.of()), FailureKind.MALFORMED_XML, ""),
                bad("1001 rules", () -> new LifecycleConfiguration(tooMany), FailureKind.MALFORMED_XML, ""),
                bad("duplicate IDs", () -> config(rule("a", ALL, DAYS_30), rule("a", ALL, new Expiration.Days(2))),
                        FailureKind.INVALID_ARGUMENT, "Rule ID must be unique"),
                bad("ID too long", () -> rule("x".repeat(256), ALL, DAYS_30), FailureKind.INVALID_ARGUMENT,
                        "ID length should not exceed allowed limit of 255"),
                bad("no action", () -> new LifecycleRule("a", true, ALL, null, null, null),
                        FailureKind.INVALID_REQUEST, "At least one action needs to be specified in a rule"),
                bad("Days 0", () -> new Expiration.Days(0), FailureKind.INVALID_ARGUMENT,
                        "'Days' for Expiration action must be a positive integer"),
                bad("Days negative", () -> new Expiration.Days(-3), FailureKind.INVALID_ARGUMENT, "'Days'"),
                bad("NoncurrentDays 0", () -> new NoncurrentVersionExpiration(0, null), FailureKind.INVALID_ARGUMENT,
                        "'NoncurrentDays'"),
                bad("NewerNoncurrentVersions 0", () -> new NoncurrentVersionExpiration(1, 0),
                        FailureKind.INVALID_ARGUMENT, "'NewerNoncurrentVersions'"),
                bad("NewerNoncurrentVersions 101", () -> new NoncurrentVersionExpiration(1, 101),
                        FailureKind.INVALID_ARGUMENT, "'NewerNoncurrentVersions'"),
                bad("DaysAfterInitiation 0", () -> new AbortIncompleteMultipartUpload(0), FailureKind.INVALID_ARGUMENT,
                        "'DaysAfterInitiation'"),
                bad("ExpiredObjectDeleteMarker with Tag",
                        () -> rule("a", new LifecycleFilter.Tag("k", "v"), new Expiration.ExpiredObjectDeleteMarker(true)),
                        FailureKind.INVALID_REQUEST, "ExpiredObjectDeleteMarker cannot be specified with Tags."),
                bad("ExpiredObjectDeleteMarker with And tags",
                        () -> rule("a", new LifecycleFilter.And("p/", Map.of("k", "v"), null, null),
                                new Expiration.ExpiredObjectDeleteMarker(true)),
                        FailureKind.INVALID_REQUEST, "ExpiredObjectDeleteMarker cannot be specified with Tags."),
                bad("ExpiredObjectDeleteMarker with size",
                        () -> rule("a", new LifecycleFilter.SizeGreaterThan(5), new Expiration.ExpiredObjectDeleteMarker(true)),
                        FailureKind.INVALID_REQUEST, "Object Size"),
                bad("AbortIncompleteMultipartUpload with Tag",
                        () -> new LifecycleRule("a", true, new LifecycleFilter.Tag("k", "v"), null, null,
                                new AbortIncompleteMultipartUpload(1)),
                        FailureKind.INVALID_REQUEST, "AbortIncompleteMultipartUpload cannot be specified with Tags."),
                bad("AbortIncompleteMultipartUpload with size",
                        () -> new LifecycleRule("a", true, new LifecycleFilter.SizeLessThan(10), null, null,
                                new AbortIncompleteMultipartUpload(1)),
                        FailureKind.INVALID_REQUEST, "Object Size"),
                bad("And without conditions", () -> new LifecycleFilter.And("", Map.of(), null, null),
                        FailureKind.MALFORMED_XML, ""),
                bad("And sizes inverted", () -> new LifecycleFilter.And("", Map.of(), 10L, 10L),
                        FailureKind.INVALID_ARGUMENT, "'ObjectSizeGreaterThan' must be less than 'ObjectSizeLessThan'"),
                bad("negative ObjectSizeGreaterThan", () -> new LifecycleFilter.SizeGreaterThan(-1),
                        FailureKind.INVALID_ARGUMENT, "'ObjectSizeGreaterThan'"),
                bad("ObjectSizeLessThan 0", () -> new LifecycleFilter.SizeLessThan(0), FailureKind.INVALID_ARGUMENT,
                        "'ObjectSizeLessThan'"),
                bad("prefix too long", () -> new LifecycleFilter.Prefix("p".repeat(1025)), FailureKind.INVALID_ARGUMENT,
                        "prefix"),
                bad("bad tag key", () -> new LifecycleFilter.Tag("", "v"), FailureKind.INVALID_TAG, ""),
                bad("aws: tag key", () -> new LifecycleFilter.Tag("aws:x", "v"), FailureKind.INVALID_TAG, "aws:"));
    }

    private static Arguments bad(String name, Supplier<Object> build, FailureKind kind, String message) {
        return Arguments.of(name, build, kind, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void refusesInvalidConfigurations(String name, Supplier<Object> build, FailureKind kind, String message) {
        assertThatThrownBy(build::get).isInstanceOfSatisfying(StoreException.class, e -> {
            assertThat(e.kind()).isEqualTo(kind);
            assertThat(e.failure().message()).contains(message);
        });
    }

    @Test
    void acceptsAwsShapes() {
        LifecycleConfiguration c = config(
                rule("days", new LifecycleFilter.Prefix("logs/"), DAYS_30),
                rule("date", new LifecycleFilter.Tag("class", "tmp"), new Expiration.OnDate(LocalDate.of(2030, 1, 1))),
                rule("markers", new LifecycleFilter.Prefix(""), new Expiration.ExpiredObjectDeleteMarker(true)),
                new LifecycleRule("nc", false, new LifecycleFilter.And("a/", Map.of("k", "v", "k2", "v2"), 0L, 1000L), null,
                        new NoncurrentVersionExpiration(7, 3), null),
                new LifecycleRule("mpu", true, new LifecycleFilter.LegacyPrefix("up/"), null, null,
                        new AbortIncompleteMultipartUpload(2)),
                rule("size", new LifecycleFilter.SizeLessThan(1), DAYS_30),
                new LifecycleRule("newer100", true, ALL, null, new NoncurrentVersionExpiration(1, 100), null));
        assertThat(c.rules()).hasSize(7);
        assertThat(c.enabledRules()).extracting(LifecycleRule::id).doesNotContain("nc");
    }

    @Test
    void assignsMissingIdsWithoutClashing() {
        LifecycleConfiguration c = config(rule("", ALL, DAYS_30), rule("rule-1", ALL, DAYS_30), rule("", ALL, DAYS_30));
        assertThat(c.rules()).extracting(LifecycleRule::id).containsExactly("rule-2", "rule-1", "rule-3");
    }

    @Test
    void filtersMatchPrefixTagsAndSizes() {
        Map<String, String> tags = Map.of("k", "v", "other", "x");
        assertThat(new LifecycleFilter.Prefix("a/").matches("a/b", 1, Map.of())).isTrue();
        assertThat(new LifecycleFilter.Prefix("a/").matches("b/a", 1, Map.of())).isFalse();
        assertThat(new LifecycleFilter.Tag("k", "v").matches("x", 1, tags)).isTrue();
        assertThat(new LifecycleFilter.Tag("k", "w").matches("x", 1, tags)).isFalse();
        assertThat(new LifecycleFilter.SizeGreaterThan(10).matches("x", 10, Map.of())).isFalse();
        assertThat(new LifecycleFilter.SizeGreaterThan(10).matches("x", 11, Map.of())).isTrue();
        assertThat(new LifecycleFilter.SizeLessThan(10).matches("x", 10, Map.of())).isFalse();
        LifecycleFilter and = new LifecycleFilter.And("a/", Map.of("k", "v"), 1L, 100L);
        assertThat(and.matches("a/x", 50, tags)).isTrue();
        assertThat(and.matches("a/x", 50, Map.of("k", "v2"))).isFalse();
        assertThat(and.matches("a/x", 100, tags)).isFalse();
        assertThat(and.matches("b/x", 50, tags)).isFalse();
        assertThat(ALL.matches("anything", 0, Map.of())).isTrue();
    }

    @Test
    void dueTimeRoundsUpToMidnightUtc() {
        long written = Instant.parse("2026-01-01T10:30:00Z").toEpochMilli();
        assertThat(Instant.ofEpochMilli(Lifecycle.dueMillis(written, 1))).isEqualTo("2026-01-03T00:00:00Z");
        long midnight = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        assertThat(Instant.ofEpochMilli(Lifecycle.dueMillis(midnight, 1))).isEqualTo("2026-01-02T00:00:00Z");
    }

    @Test
    void scheduledExpirationPicksTheEarliestMatchingRule() {
        LifecycleConfiguration c = config(rule("long", ALL, new Expiration.Days(30)),
                rule("short", new LifecycleFilter.Prefix("t/"), new Expiration.Days(2)),
                new LifecycleRule("off", false, ALL, new Expiration.Days(1), null, null));
        ObjectRecord r = new ObjectRecord("null", 3, "e", Instant.parse("2026-01-01T10:00:00Z").toEpochMilli(), "o",
                ObjectAttributes.EMPTY, null, List.of(), new ObjectData.Inline("d", 3));
        assertThat(c.expirationOf("t/x", r)).hasValueSatisfying(s -> {
            assertThat(s.ruleId()).isEqualTo("short");
            assertThat(Instant.ofEpochMilli(s.dueMillis())).isEqualTo("2026-01-04T00:00:00Z");
        });
        assertThat(c.expirationOf("u/x", r)).hasValueSatisfying(s -> assertThat(s.ruleId()).isEqualTo("long"));
    }

    @Test
    void theWorkerWalksTheCommonPrefixOfItsRules() {
        assertThat(Lifecycle.commonPrefix(List.of(rule("a", new LifecycleFilter.Prefix("logs/a"), DAYS_30),
                rule("b", new LifecycleFilter.LegacyPrefix("logs/b"), DAYS_30)))).isEqualTo("logs/");
        assertThat(Lifecycle.commonPrefix(List.of(rule("a", new LifecycleFilter.Prefix("logs/"), DAYS_30),
                rule("b", new LifecycleFilter.Tag("k", "v"), DAYS_30)))).isEmpty();
        // Never half a surrogate pair: the store orders keys by UTF-8 bytes.
        assertThat(Lifecycle.commonPrefix(List.of(rule("a", new LifecycleFilter.Prefix("x\uD83D\uDE00a"), DAYS_30),
                rule("b", new LifecycleFilter.Prefix("x\uD83D\uDE01"), DAYS_30)))).isEqualTo("x");
    }

    // --- stored form ---

    private static LifecycleConfiguration everything() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("b", "2");
        tags.put("a", "1");
        return config(
                rule("all", ALL, DAYS_30),
                rule("legacy", new LifecycleFilter.LegacyPrefix("old/"), new Expiration.OnDate(LocalDate.of(2031, 12, 31))),
                rule("prefix", new LifecycleFilter.Prefix("p/ü"), new Expiration.ExpiredObjectDeleteMarker(true)),
                rule("marker-off", ALL, new Expiration.ExpiredObjectDeleteMarker(false)),
                new LifecycleRule("tag", false, new LifecycleFilter.Tag("k", "v w"), null,
                        new NoncurrentVersionExpiration(9, null), null),
                rule("gt", new LifecycleFilter.SizeGreaterThan(0), DAYS_30),
                rule("lt", new LifecycleFilter.SizeLessThan(1L << 40), DAYS_30),
                new LifecycleRule("and", true, new LifecycleFilter.And("x/", tags, null, 77L), DAYS_30,
                        new NoncurrentVersionExpiration(3, 100), null),
                new LifecycleRule("mpu", true, new LifecycleFilter.Prefix("m/"), null, null,
                        new AbortIncompleteMultipartUpload(4)),
                new LifecycleRule("and3", true, new LifecycleFilter.And("", Map.of(), 5L, null), DAYS_30, null, null));
    }

    @Test
    void encodeDecodeRoundTrip() {
        LifecycleConfiguration c = everything();
        byte[] stored = c.encode();
        LifecycleConfiguration back = LifecycleConfiguration.decode(stored);
        assertThat(back).isEqualTo(c);
        assertThat(back.rules().get(7).filter().tags().keySet()).containsExactly("b", "a");
        assertThat(back.encode()).isEqualTo(stored);
        assertThat(stored[0]).isEqualTo((byte) 'L');
        assertThat(stored[1]).isEqualTo((byte) 'C');
        assertThat(stored[2]).isEqualTo((byte) LifecycleCodec.VERSION);
    }

    @Test
    void decodeRefusesDamagedOrForeignBytes() {
        byte[] stored = everything().encode();
        for (int i = 0; i < stored.length; i++) {
            byte[] flipped = stored.clone();
            flipped[i] ^= 0x10;
            assertThatThrownBy(() -> LifecycleConfiguration.decode(flipped)).isInstanceOf(MetadataCorruptException.class);
        }
        byte[] truncated = java.util.Arrays.copyOf(stored, stored.length - 1);
        assertThatThrownBy(() -> LifecycleConfiguration.decode(truncated)).isInstanceOf(MetadataCorruptException.class);
        assertThatThrownBy(() -> LifecycleConfiguration.decode(new byte[0])).isInstanceOf(MetadataCorruptException.class);
        assertThatThrownBy(() -> LifecycleConfiguration.decode("<LifecycleConfiguration/>".getBytes()))
                .isInstanceOf(MetadataCorruptException.class);
    }

    @Test
    void decodeRefusesANewerVersion() {
        byte[] stored = everything().encode();
        stored[2] = (byte) (LifecycleCodec.VERSION + 1);
        // Re-seal the CRC so only the version is wrong.
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(stored, 0, stored.length - 4);
        int v = (int) crc.getValue();
        for (int i = 0; i < 4; i++) {
            stored[stored.length - 4 + i] = (byte) (v >>> (24 - 8 * i));
        }
        assertThatThrownBy(() -> LifecycleConfiguration.decode(stored)).isInstanceOf(MetadataCorruptException.class)
                .hasMessageContaining("version");
    }
}
