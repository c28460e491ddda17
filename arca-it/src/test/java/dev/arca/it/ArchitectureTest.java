package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Rules the module graph alone cannot state: third-party libraries stay in the one package that
 * adapts them (DESIGN.md §2). Checked over the main sources of every module.
 */
class ArchitectureTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static List<String> violations(String importPrefix, String allowedDir) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")).toList()) {
                String rel = ROOT.relativize(f).toString();
                if (rel.startsWith(allowedDir)) {
                    continue;
                }
                for (String line : Files.readAllLines(f)) {
                    if (line.startsWith("import " + importPrefix) || line.startsWith("import static " + importPrefix)) {
                        found.add(rel + ": " + line);
                    }
                }
            }
        }
        return found;
    }

    @Test
    void nettyOnlyInTheTransportAdapter() throws IOException {
        assertThat(ROOT.resolve("arca-server/src/main/java/dev/arca/server/http")).isDirectory();
        assertThat(violations("io.netty.", "arca-server/src/main/java/dev/arca/server/http/")).isEmpty();
    }

    @Test
    void rocksDbOnlyInTheKvAdapter() throws IOException {
        assertThat(violations("org.rocksdb.", "arca-meta/src/main/java/dev/arca/meta/kv/")).isEmpty();
    }

    @Test
    void incubatorVectorApiAndNativeCallsOnlyInTheErasureCoder() throws IOException {
        assertThat(violations("jdk.incubator.vector.", "arca-erasure/src/main/java/")).isEmpty();
        assertThat(violations("java.lang.foreign.Linker", "arca-erasure/src/main/java/")).isEmpty();
        assertThat(violations("java.lang.foreign.SymbolLookup", "arca-erasure/src/main/java/")).isEmpty();
    }

    @Test
    void noAwsSdkInMainCode() throws IOException {
        assertThat(violations("software.amazon.", "no-module-may/")).isEmpty();
    }
}
