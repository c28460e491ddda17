package dev.arca.object;

import dev.arca.core.Entropy;
import dev.arca.core.Limits;
import dev.arca.erasure.ErasureCoders;
import dev.arca.storage.ErasureBlobStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The blob store the server uses by default: four drives under {@code dir}, 2+2 erasure coding. */
final class TestBlobStores {
    static final int DRIVES = 4;

    private TestBlobStores() {}

    static ErasureBlobStore open(Path dir) {
        List<Path> drives = new ArrayList<>();
        for (int i = 1; i <= DRIVES; i++) {
            drives.add(dir.resolve("drive-" + i));
        }
        return ErasureBlobStore.open(drives, ErasureBlobStore.Geometry.defaultFor(DRIVES, Limits.BLOB_BLOCK_BYTES),
                ErasureCoders::create, Entropy.seeded(1));
    }
}
