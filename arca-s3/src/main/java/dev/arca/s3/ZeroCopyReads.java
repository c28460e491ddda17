package dev.arca.s3;

import dev.arca.core.ByteRange;
import dev.arca.meta.ObjectRecord;
import dev.arca.s3.http.FileSource;
import java.io.InputStream;
import java.util.Optional;

/**
 * Where GetObject may serve a version's bytes straight from the files that store them. The S3
 * layer never opens a file itself; the server plugs in an implementation that knows the drives.
 */
public interface ZeroCopyReads {
    /** Never: every GET takes the ordinary path. */
    ZeroCopyReads NONE = (bucket, key, record, range, length, leased) -> Optional.empty();

    /**
     * A file source for {@code range} (null: the whole object) of this committed version, or empty
     * when the bytes on disk are not the bytes served (encrypted, inline) or anything is in doubt. {@code leased} is the ordinary body, already open: it holds the leases that keep
     * the files from being collected, so a returned source keeps it open until closed and serves it
     * as {@link FileSource#stream()}; when empty is returned the caller still owns {@code leased}.
     */
    Optional<FileSource> open(String bucket, String key, ObjectRecord record, ByteRange range, long length,
            InputStream leased);
}
