package dev.arca.object;

import dev.arca.core.BucketName;
import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.Limits;
import dev.arca.core.StoreException;
import dev.arca.meta.BucketRecord;
import dev.arca.meta.Command;
import dev.arca.meta.DefaultRetention;
import dev.arca.meta.Versioning;
import dev.arca.meta.MetadataStore;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

/** Bucket operations: CreateBucket, DeleteBucket, HeadBucket, ListBuckets, GetBucketLocation. */
public final class Buckets {
    private final MetadataStore meta;
    private final InstantSource clock;
    private final String region;
    private final Collector collector;

    Buckets(MetadataStore meta, InstantSource clock, String region, Collector collector) {
        this.meta = meta;
        this.clock = clock;
        this.region = region;
        this.collector = collector;
    }

    /** The region this server serves; buckets may only be created in it. */
    public String region() {
        return region;
    }

    /**
     * CreateBucket. {@code locationConstraint} may be null/empty (the server's region) or equal to
     * the server's region; anything else is InvalidLocationConstraint.
     */
    public BucketRecord create(BucketName name, Owner owner, String locationConstraint) {
        return create(name, owner, locationConstraint, false);
    }

    /**
     * CreateBucket, with Object Lock enabled when asked (x-amz-bucket-object-lock-enabled), which
     * also enables versioning.
     */
    public BucketRecord create(BucketName name, Owner owner, String locationConstraint, boolean objectLockEnabled) {
        if (locationConstraint != null && !locationConstraint.isEmpty() && !locationConstraint.equals(region)) {
            throw new StoreException(new Failure(FailureKind.INVALID_LOCATION_CONSTRAINT,
                    "The specified location-constraint is not valid", name.value(),
                    Map.of("LocationConstraint", locationConstraint)));
        }
        BucketRecord record = new BucketRecord(name.value(), owner.id(), clock.millis(), region);
        if (objectLockEnabled) {
            record = record.withVersioning(Versioning.ENABLED).withObjectLock(null);
        }
        meta.submit(new Command.CreateBucket(record, Limits.MAX_BUCKETS_PER_OWNER));
        return record;
    }

    /** DeleteBucket: the bucket must hold no objects; its multipart uploads are aborted. */
    public void delete(BucketName name) {
        List<String> garbage = meta.submit(new Command.DeleteBucket(name.value(), clock.millis()));
        if (!garbage.isEmpty()) {
            collector.wake();
        }
    }

    /**
     * PutBucketVersioning: ENABLED or SUSPENDED (a bucket never returns to UNVERSIONED); a bucket
     * with Object Lock cannot be suspended (InvalidBucketState).
     */
    public void setVersioning(BucketName name, Versioning versioning) {
        if (versioning == Versioning.UNVERSIONED) {
            throw StoreException.of(FailureKind.MALFORMED_XML,
                    "The XML you provided was not well-formed or did not validate against our published schema");
        }
        meta.submit(new Command.SetVersioning(name.value(), versioning));
    }

    /**
     * PutObjectLockConfiguration: enables Object Lock (versioning must be enabled) and sets the
     * default retention (null for none). Object Lock can never be disabled.
     */
    public void setObjectLock(BucketName name, DefaultRetention defaultRetention) {
        meta.submit(new Command.SetObjectLock(name.value(), defaultRetention));
    }

    /** A bucket sub-resource document (such as "lifecycle"), if stored. NoSuchBucket if the bucket is absent. */
    public java.util.Optional<byte[]> config(BucketName name, String configName) {
        get(name);
        return meta.bucketConfig(name.value(), configName);
    }

    /** Stores (value null: removes) a bucket sub-resource document. */
    public void putConfig(BucketName name, String configName, byte[] value) {
        meta.submit(new Command.PutBucketConfig(name.value(), configName, value));
    }

    /** HeadBucket / the bucket's record; NoSuchBucket if absent. */
    public BucketRecord get(BucketName name) {
        return meta.bucket(name.value()).orElseThrow(() -> noSuchBucket(name));
    }

    /** The bucket's record, if it exists. */
    public java.util.Optional<BucketRecord> find(String name) {
        return meta.bucket(name);
    }

    /** Buckets owned by {@code owner}, in name order. */
    public List<BucketRecord> list(Owner owner) {
        return meta.buckets().stream().filter(b -> b.ownerId().equals(owner.id())).toList();
    }

    static StoreException noSuchBucket(BucketName name) {
        return new StoreException(new Failure(FailureKind.NO_SUCH_BUCKET, "The specified bucket does not exist",
                name.value(), Map.of("BucketName", name.value())));
    }
}
