package dev.arca.object;

import dev.arca.core.checksum.ChecksumAlgorithm;
import java.util.function.Supplier;

/**
 * The checksum a writer asked for: the algorithm (null for none) and the value the client sent, in
 * base64. The value is read only after the whole body has been read, because it may arrive in a
 * trailer; the supplier returns null when the client sent no value (then Arca computes and stores
 * the checksum without verifying it).
 */
public record ChecksumInput(ChecksumAlgorithm algorithm, Supplier<String> expected) {
    public static final ChecksumInput NONE = new ChecksumInput(null, () -> null);

    public static ChecksumInput of(ChecksumAlgorithm algorithm, String value) {
        return new ChecksumInput(algorithm, () -> value);
    }
}
