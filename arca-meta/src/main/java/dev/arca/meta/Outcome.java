package dev.arca.meta;

import dev.arca.core.Failure;
import java.util.List;

/**
 * What an applied command did.
 *
 * @param garbage   blobs the command turned into garbage (the caller may wake the collector)
 * @param versionId the version id a PutObject or CompleteUpload committed, else null
 * @param deletes   one outcome per target of a DeleteObjects, in order (empty for other commands)
 * @param replacedVersionId for PutObject and CompleteUpload, the version that was current before (it was
 *                  overwritten), or null when the key had no current object
 */
public record Outcome(List<String> garbage, String versionId, List<DeleteOutcome> deletes, String replacedVersionId) {
    public static final Outcome NOTHING = new Outcome(List.of(), null, List.of());

    public Outcome {
        garbage = List.copyOf(garbage);
        deletes = List.copyOf(deletes);
    }

    public Outcome(List<String> garbage, String versionId, List<DeleteOutcome> deletes) {
        this(garbage, versionId, deletes, null);
    }

    /**
     * One delete target's outcome, as S3's DeleteObjects reports it: {@code versionId} the version
     * asked for (null if none); {@code deleteMarker} whether a delete marker was created or removed;
     * {@code deleteMarkerVersionId} the id of that marker; {@code failure} null on success.
     */
    public record DeleteOutcome(String key, String versionId, boolean deleteMarker, String deleteMarkerVersionId,
            Failure failure) {}
}
