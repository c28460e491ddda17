package dev.arca.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.erasure.ErasureCoder;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server runs the coder's known-answer self-test at start and refuses to start on a wrong coder. */
class CoderSelfTestTest {
    private static final Map<String, String> ENV = Map.of("ARCA_ROOT_ACCESS_KEY", "selftestkey", "ARCA_ROOT_SECRET_KEY",
            "selftestsecret1");

    private static ServerConfig config(Path dir) {
        return ConfigLoader.load(List.of("--data", dir.toString(), "--address", "127.0.0.1:0", "--tls-port", "off", "--scrub-rate", "0"), Map.of());
    }

    @Test
    void aCoderThatComputesWrongParityStopsTheStart(@TempDir Path dir) {
        ErasureBlobStoreFactory broken = (k, m) -> new FlipsParity(ArcaServer.coders("java-scalar").coder(k, m));
        assertThatThrownBy(() -> ArcaServer.start(config(dir), ENV, broken::coder))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("self-test");
    }

    @Test
    void theConfiguredCoderPassesAndServes(@TempDir Path dir) {
        try (ArcaServer server = ArcaServer.start(config(dir), ENV, ArcaServer.coders("auto"))) {
            assertThat(server.blobStore().coder().name()).isNotEmpty();
            assertThat(server.blobStore().geometry().dataShards()).isEqualTo(2);
            assertThat(server.blobStore().geometry().parityShards()).isEqualTo(2);
        }
    }

    @FunctionalInterface
    private interface ErasureBlobStoreFactory {
        ErasureCoder coder(int k, int m);
    }

    /** A coder whose parity has one bit flipped: the kind of bug the self-test exists for. */
    private record FlipsParity(ErasureCoder real) implements ErasureCoder {
        @Override
        public int dataShards() {
            return real.dataShards();
        }

        @Override
        public int parityShards() {
            return real.parityShards();
        }

        @Override
        public String name() {
            return "broken";
        }

        @Override
        public void encode(MemorySegment[] shards, int length) {
            real.encode(shards, length);
            if (parityShards() > 0 && length > 0) {
                MemorySegment p = shards[dataShards()];
                p.set(ValueLayout.JAVA_BYTE, 0, (byte) (p.get(ValueLayout.JAVA_BYTE, 0) ^ 1));
            }
        }

        @Override
        public void reconstruct(MemorySegment[] shards, boolean[] present, int length) {
            real.reconstruct(shards, present, length);
        }
    }
}
