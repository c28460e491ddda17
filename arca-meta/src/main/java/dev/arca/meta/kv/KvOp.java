package dev.arca.meta.kv;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One operation of a {@link KvBatch}. The records hold the caller's arrays without copying them;
 * equality and hashing compare array contents.
 */
public sealed interface KvOp permits KvOp.Put, KvOp.Delete {
    /** The key the operation applies to. */
    byte[] key();

    /** Stores {@code value} under {@code key}, replacing any value. */
    record Put(byte[] key, byte[] value) implements KvOp {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Put(byte[] k, byte[] v) && Arrays.equals(key, k) && Arrays.equals(value, v);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Put[" + HexFormat.of().formatHex(key) + " = " + value.length + " bytes]";
        }
    }

    /** Removes {@code key}; a no-op when it is absent. */
    record Delete(byte[] key) implements KvOp {
        public Delete {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Delete(byte[] k) && Arrays.equals(key, k);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(key);
        }

        @Override
        public String toString() {
            return "Delete[" + HexFormat.of().formatHex(key) + "]";
        }
    }
}
