package dev.arca.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Temporary directories on tmpfs ({@code /dev/shm}) where there is one, else the default place.
 * Formatting a drive creates 256 fan-out directories; on a busy ext4 disk that alone costs a second
 * per 6-drive store, on tmpfs a few milliseconds. The files and fsync calls are real all the same;
 * only durability across power loss is not exercised (no test here cuts power).
 */
final class RamTempDir implements TempDirFactory {
    private static final Path SHM = Path.of("/dev/shm");

    @Override
    public Path createTempDirectory(AnnotatedElementContext elementContext, ExtensionContext extensionContext) throws Exception {
        if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
            return Files.createTempDirectory(SHM, "arca-storage-test-");
        }
        return Files.createTempDirectory("arca-storage-test-");
    }
}
