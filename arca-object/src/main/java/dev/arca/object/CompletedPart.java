package dev.arca.object;

import dev.arca.core.checksum.ChecksumAlgorithm;
import java.util.Map;

/** One Part element of a CompleteMultipartUpload request: number, ETag (unquoted) and any checksums given. */
public record CompletedPart(int partNumber, String etag, Map<ChecksumAlgorithm, String> checksums) {
    public CompletedPart {
        checksums = checksums == null ? Map.of() : Map.copyOf(checksums);
    }
}
