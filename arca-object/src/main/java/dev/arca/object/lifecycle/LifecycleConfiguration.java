package dev.arca.object.lifecycle;

import dev.arca.meta.ObjectRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A bucket's lifecycle configuration (PutBucketLifecycleConfiguration), validated as S3 validates
 * it: 1 to {@link #MAX_RULES} rules with unique IDs. Rules without an ID get one
 * ({@code rule-N}, N their 1-based position or the next free number), as S3 assigns IDs.
 * Stored as the bucket config document {@link #CONFIG_NAME} in the form {@link #encode()} writes.
 */
public record LifecycleConfiguration(List<LifecycleRule> rules) {
    /** The bucket config name the configuration is stored under. */
    public static final String CONFIG_NAME = "lifecycle";
    /** AWS's most rules per configuration. */
    public static final int MAX_RULES = 1000;

    public LifecycleConfiguration {
        rules = List.copyOf(rules);
        if (rules.isEmpty() || rules.size() > MAX_RULES) {
            throw Errors.malformed();
        }
        Set<String> ids = new HashSet<>();
        for (LifecycleRule r : rules) {
            if (!r.id().isEmpty() && !ids.add(r.id())) {
                throw Errors.invalidArgument("Rule ID must be unique. Found same ID for more than one rule");
            }
        }
        if (rules.stream().anyMatch(r -> r.id().isEmpty())) {
            List<LifecycleRule> named = new ArrayList<>(rules.size());
            for (int i = 0; i < rules.size(); i++) {
                LifecycleRule r = rules.get(i);
                if (r.id().isEmpty()) {
                    int n = i + 1;
                    while (!ids.add("rule-" + n)) {
                        n++;
                    }
                    r = r.withId("rule-" + n);
                }
                named.add(r);
            }
            rules = List.copyOf(named);
        }
    }

    /** The rules with Status Enabled. */
    public List<LifecycleRule> enabledRules() {
        return rules.stream().filter(LifecycleRule::enabled).toList();
    }

    /** When a current version expires and under which rule, for the {@code x-amz-expiration} header. */
    public record ScheduledExpiration(long dueMillis, String ruleId) {}

    /**
     * The earliest Days or Date expiration an enabled rule sets for {@code record}, the current
     * version of {@code key}; empty for delete markers and objects no such rule matches.
     */
    public Optional<ScheduledExpiration> expirationOf(String key, ObjectRecord record) {
        if (record.deleteMarker()) {
            return Optional.empty();
        }
        ScheduledExpiration best = null;
        for (LifecycleRule r : enabledRules()) {
            if (!r.filter().matches(key, record.size(), record.attributes().tags())) {
                continue;
            }
            long due = switch (r.expiration()) {
                case Expiration.Days(int days) -> Lifecycle.dueMillis(record.lastModifiedMillis(), days);
                case Expiration.OnDate d -> d.startMillis();
                case null, default -> Long.MAX_VALUE;
            };
            if (due != Long.MAX_VALUE && (best == null || due < best.dueMillis())) {
                best = new ScheduledExpiration(due, r.id());
            }
        }
        return Optional.ofNullable(best);
    }

    /** The stored form (docs/FORMATS.md, "Lifecycle configuration"): versioned, with a CRC32C. */
    public byte[] encode() {
        return LifecycleCodec.encode(this);
    }

    /**
     * Reads the stored form; a damaged or foreign document, or one from a newer Arca, is a
     * {@link dev.arca.meta.MetadataCorruptException}.
     */
    public static LifecycleConfiguration decode(byte[] stored) {
        return LifecycleCodec.decode(stored);
    }
}
