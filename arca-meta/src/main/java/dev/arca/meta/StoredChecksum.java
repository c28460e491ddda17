package dev.arca.meta;

import dev.arca.core.checksum.ChecksumAlgorithm;
import dev.arca.core.checksum.ChecksumType;
import java.util.Objects;

/**
 * An object's checksum as S3 reports it: the algorithm, FULL_OBJECT or COMPOSITE, and the value
 * in base64 (COMPOSITE values carry the "-N" part-count suffix).
 */
public record StoredChecksum(ChecksumAlgorithm algorithm, ChecksumType type, String value) {
    public StoredChecksum {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }
}
