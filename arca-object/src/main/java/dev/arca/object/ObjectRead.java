package dev.arca.object;

import dev.arca.core.ByteRange;
import dev.arca.meta.ObjectRecord;
import java.io.InputStream;

/**
 * An object opened for reading. {@code range} is null when the whole object is served as a
 * non-partial response; {@code body} is null for HEAD. The caller must close the body (which
 * releases the blobs it holds).
 *
 * @param partsCount number of parts of a multipart object when a part number was asked for, else null
 */
public record ObjectRead(ObjectRecord record, ByteRange range, InputStream body, Integer partsCount) {
    public long contentLength() {
        return range == null ? record.size() : range.length();
    }
}
