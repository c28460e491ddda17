package dev.arca.meta;

import java.util.List;

/**
 * Where an object's bytes live: a small object inline in the metadata store (under its own key,
 * so listings never read payloads), or a large one in blobs, in order; a delete marker has none.
 */
public sealed interface ObjectData {
    /** Bytes stored in the metadata store under {@code dataId}. */
    record Inline(String dataId, long length) implements ObjectData {}

    record Blobs(List<BlobSpan> spans) implements ObjectData {
        public Blobs {
            spans = List.copyOf(spans);
        }
    }

    /** No bytes: a delete marker. */
    record None() implements ObjectData {}

    /** The ids of the blobs this data references (empty for inline data). */
    default List<String> blobIds() {
        return switch (this) {
            case Inline ignored -> List.of();
            case None ignored -> List.of();
            case Blobs(List<BlobSpan> spans) -> spans.stream().map(BlobSpan::blobId).toList();
        };
    }
}
