package dev.arca.meta;

import java.util.Objects;

/** A bucket: its name, owning account, creation time and region (location constraint). */
public record BucketRecord(String name, String ownerId, long createdMillis, String region) {
    public BucketRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(region, "region");
    }
}
