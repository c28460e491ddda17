package dev.arca.meta.kv;

import dev.arca.core.Entropy;
import dev.arca.crypto.ValueCipher;
import java.nio.file.Path;

/** The sealed store keeps the whole KV contract (over RocksDB, as the server runs it). */
class SealedKvContractTest extends KvContractTest {
    private final ValueCipher cipher = ValueCipher.of(new byte[32], Entropy.seeded(9));

    @Override
    Kv open(Path dir) {
        return SealedKv.open(RocksKv.open(dir, RocksKv.Options.defaults()), cipher);
    }
}
