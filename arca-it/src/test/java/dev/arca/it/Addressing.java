package dev.arca.it;

import software.amazon.awssdk.services.s3.S3Client;

/**
 * The two ways an S3 client addresses a bucket. Tests that must hold in both take one as a
 * parameter ({@code @EnumSource(Addressing.class)}) and derive their bucket names from it, so the
 * two runs never share a bucket.
 */
enum Addressing {
    /** {@code http://127.0.0.1:PORT/bucket/key} */
    PATH("p"),
    /** {@code http://bucket.s3.arca.test:PORT/key} */
    VIRTUAL_HOST("v");

    private final String suffix;

    Addressing(String suffix) {
        this.suffix = suffix;
    }

    S3Client newClient(ArcaTestServer server) {
        return this == PATH ? Clients.pathStyle(server) : Clients.virtualHost(server);
    }

    /** A bucket name unique to this addressing style: {@code base-p} or {@code base-v}. */
    String bucket(String base) {
        return base + "-" + suffix;
    }
}
