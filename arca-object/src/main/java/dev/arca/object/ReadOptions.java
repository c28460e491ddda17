package dev.arca.object;

import dev.arca.core.Conditions;
import dev.arca.core.RangeSpec;

/** What part of an object to read (a range, or a part number, or all) and the conditions to check. */
public record ReadOptions(RangeSpec range, Integer partNumber, Conditions conditions) {
    public static final ReadOptions WHOLE = new ReadOptions(null, null, Conditions.NONE);

    public ReadOptions {
        conditions = conditions == null ? Conditions.NONE : conditions;
    }
}
