package dev.arca.object.restore;

import java.util.List;

/**
 * The summary of a dry run: what a restore to the same time would do now, key by key, without
 * writing anything. A later run can differ by what clients write meanwhile.
 *
 * @param keysExamined       keys under the prefix (after the resume position)
 * @param toRestore          keys whose version current at the time would be copied back
 * @param toHide             keys created after the time (or deleted at it) that would get a delete marker
 * @param unchanged          keys that already read as at the time
 * @param skipped            keys that cannot be restored (see {@link RestoreReport#skipped()}); see {@code issues}
 * @param lockedVersionsKept versions newer than the time that Object Lock protects (kept, as every version is)
 * @param bytesToCopy        bytes the copies would write
 * @param issues             the first {@link Restore#MAX_ERRORS} skipped keys, with why
 */
public record RestorePlan(long keysExamined, long toRestore, long toHide, long unchanged, long skipped,
        long lockedVersionsKept, long bytesToCopy, List<RestoreReport.KeyError> issues) {
    public RestorePlan {
        issues = List.copyOf(issues);
    }

    /** The plan a dry run's report describes. */
    public static RestorePlan of(RestoreReport dryRun) {
        if (!dryRun.dryRun()) {
            throw new IllegalArgumentException("not a dry run's report");
        }
        return new RestorePlan(dryRun.keysExamined(), dryRun.restored(), dryRun.hidden(), dryRun.unchanged(),
                dryRun.skipped(), dryRun.lockedVersionsKept(), dryRun.bytesCopied(), dryRun.errors());
    }
}
