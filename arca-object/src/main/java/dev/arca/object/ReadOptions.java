package dev.arca.object;

import dev.arca.core.Conditions;
import dev.arca.core.RangeSpec;

/**
 * What to read: a version (null for the current object), a range or a part number (or all), and
 * the conditions to check, and the SSE-C key ({@code customerKey}, null if none) of an object stored with one.
 */
public record ReadOptions(RangeSpec range, Integer partNumber, Conditions conditions, String versionId,
        byte[] customerKey) {
    public static final ReadOptions WHOLE = new ReadOptions(null, null, Conditions.NONE, null, null);

    public ReadOptions {
        conditions = conditions == null ? Conditions.NONE : conditions;
    }

    public ReadOptions(RangeSpec range, Integer partNumber, Conditions conditions) {
        this(range, partNumber, conditions, null, null);
    }

    public ReadOptions(RangeSpec range, Integer partNumber, Conditions conditions, String versionId) {
        this(range, partNumber, conditions, versionId, null);
    }
}
