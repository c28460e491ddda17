package dev.arca.object.lifecycle;

/**
 * A rule's {@code <AbortIncompleteMultipartUpload>}: uploads still in progress
 * {@code daysAfterInitiation} days after they were started (see {@link Lifecycle#dueMillis}) are aborted.
 */
public record AbortIncompleteMultipartUpload(int daysAfterInitiation) {
    public AbortIncompleteMultipartUpload {
        if (daysAfterInitiation <= 0) {
            throw Errors.invalidArgument(
                    "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer");
        }
    }
}
