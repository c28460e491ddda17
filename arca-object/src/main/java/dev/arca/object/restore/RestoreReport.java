package dev.arca.object.restore;

import java.util.List;

/**
 * What a restore did (or, while it runs, has done so far; in a dry run: would do). Every key
 * examined is counted in exactly one of restored, hidden, unchanged, changedDuringRestore, skipped
 * and failed.
 *
 * @param dryRun               whether nothing was written (the counters say what a run would do)
 * @param keysTotal            keys under the prefix (after the resume position) when the restore
 *                             started, or -1 while they are being counted; keys written meanwhile can
 *                             make {@code keysExamined} exceed it
 * @param keysExamined         keys looked at so far
 * @param restored             keys whose version current at the time was copied back as a new version
 * @param hidden               keys that did not exist at the time and got a delete marker
 * @param unchanged            keys that already read as at the time
 * @param changedDuringRestore keys a client wrote or deleted after the restore looked at them: left
 *                             as the client made them (always 0 in a dry run)
 * @param skipped              keys that cannot be restored without destroying a version (versioning
 *                             suspended) or without a key Arca does not keep (SSE-C); see {@code errors}
 * @param failed               keys whose restore failed; see {@code errors}
 * @param lockedVersionsKept   versions newer than the time that Object Lock protects: kept, as every
 *                             version is (a restore only adds versions)
 * @param bytesCopied          bytes of the versions copied back (to copy, in a dry run)
 * @param durationMillis       time spent so far, by the restore's clock
 * @param lastKey              the last key finished: where a resumed restore continues (null: none yet)
 * @param complete             whether every key was examined (false while running, or when stopped)
 * @param errors               the first {@link Restore#MAX_ERRORS} per-key problems, in key order
 */
public record RestoreReport(boolean dryRun, long keysTotal, long keysExamined, long restored, long hidden,
        long unchanged, long changedDuringRestore, long skipped, long failed, long lockedVersionsKept,
        long bytesCopied, long durationMillis, String lastKey, boolean complete, List<KeyError> errors) {
    public RestoreReport {
        errors = List.copyOf(errors);
    }

    /** A report before any key was examined. */
    public static RestoreReport empty(boolean dryRun) {
        return new RestoreReport(dryRun, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, false, List.of());
    }

    /** One key's problem: why it was skipped or how its restore failed. */
    public record KeyError(String key, String message) {}
}
