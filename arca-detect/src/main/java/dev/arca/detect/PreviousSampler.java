package dev.arca.detect;

import java.util.Optional;

/**
 * Measures the entropy of an object version's first {@link dev.arca.core.ByteEntropy#SAMPLE_BYTES}
 * bytes: the version an overwrite replaced. Called on the detectors' background thread.
 */
@FunctionalInterface
public interface PreviousSampler {
    /** A version's sample, when it can be read (not SSE-C, still there). */
    record Sample(double bitsPerByte, long sampledBytes) {}

    /** The sample of {@code bucket/key} version {@code versionId}, or empty when it cannot be read. */
    Optional<Sample> sample(String bucket, String key, String versionId);
}
