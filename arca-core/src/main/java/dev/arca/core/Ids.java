package dev.arca.core;

import java.time.InstantSource;

/** Generates the opaque ids Arca hands out, from injected time and entropy. Thread-safe if the entropy is. */
public final class Ids {
    private final InstantSource clock;
    private final Entropy entropy;

    public Ids(InstantSource clock, Entropy entropy) {
        this.clock = clock;
        this.entropy = entropy;
    }

    /** 128 random bits as 32 hex characters: names a blob file. */
    public String blobId() {
        return Hex.encode(random(16));
    }

    /**
     * Multipart upload id: 12 hex digits of epoch milliseconds then 20 random hex digits, so ids of
     * uploads to one key sort by initiation time (the order ListMultipartUploads returns).
     */
    public String uploadId() {
        return String.format("%012x", clock.millis()) + Hex.encode(random(10));
    }

    /** Request id as S3 prints it: 16 upper-case hex characters. */
    public String requestId() {
        return Hex.encode(random(8)).toUpperCase(java.util.Locale.ROOT);
    }

    public byte[] random(int bytes) {
        byte[] b = new byte[bytes];
        synchronized (this) {
            entropy.nextBytes(b);
        }
        return b;
    }
}
