package dev.arca.meta;

import java.util.List;
import java.util.Map;

/** Records for metadata tests. */
final class MetaFixtures {
    static final String OWNER = "owner-1";

    private MetaFixtures() {}

    static BucketRecord bucket(String name) {
        return new BucketRecord(name, OWNER, 1_000L, "us-east-1");
    }

    static ObjectRecord blobObject(String blobId, long size, String etag) {
        return new ObjectRecord("null", size, etag, 2_000L, OWNER, ObjectAttributes.EMPTY, null, List.of(),
                new ObjectData.Blobs(List.of(new BlobSpan(blobId, size))));
    }

    static ObjectRecord inlineObject(String dataId, long size, String etag) {
        return new ObjectRecord("null", size, etag, 2_000L, OWNER,
                new ObjectAttributes(Map.of("content-type", "text/plain"), Map.of("k", "v"), Map.of("t", "1")), null,
                List.of(), new ObjectData.Inline(dataId, size));
    }

    static String id(int n) {
        return String.format("%032x", n);
    }

    /** Delete targets for the current objects of {@code keys}. */
    static java.util.List<Command.DeleteTarget> targets(String... keys) {
        return java.util.Arrays.stream(keys).map(Command.DeleteTarget::current).toList();
    }
}
