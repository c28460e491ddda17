package dev.arca.meta.kv;

import java.nio.file.Path;

class MemoryKvTest extends KvContractTest {
    @Override
    Kv open(Path dir) {
        return new MemoryKv();
    }
}
