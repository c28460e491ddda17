package dev.arca.object;

import dev.arca.crypto.KeyInfo;
import dev.arca.crypto.KeyService;
import dev.arca.crypto.WrappedKey;
import dev.arca.meta.BucketRecord;
import dev.arca.meta.Command;
import dev.arca.meta.Encryption;
import dev.arca.meta.MetadataStore;
import dev.arca.meta.UploadListing;
import dev.arca.meta.UploadQuery;
import dev.arca.meta.UploadRecord;

/**
 * Rotates a KEK without touching object data: a new generation becomes current, every data key sealed
 * by an older generation (object versions and uploads in progress) is sealed again by it, and only then
 * is the old material destroyed. Rerunning after a crash finishes the job: a version already rewrapped
 * is skipped, and retirement waits until nothing is left on old generations.
 */
public final class KeyRotation {
    /** Uploads read per page while rewrapping. */
    static final int UPLOAD_PAGE = 1_000;

    /** How long a rotation waits for writes still sealing with an old generation before it gives up retiring it. */
    static final java.time.Duration QUIET_TIMEOUT = java.time.Duration.ofMinutes(10);

    private final MetadataStore meta;
    private final KeyService keys;
    private final ObjectCrypto crypto;

    KeyRotation(MetadataStore meta, KeyService keys, ObjectCrypto crypto) {
        this.meta = meta;
        this.keys = keys;
        this.crypto = crypto;
    }

    /**
     * What a rotation did: {@code retiredBelow} is the generation below which material was destroyed,
     * or 0 when writes still sealing with an old generation did not finish in time (then nothing was
     * retired; run {@link #finish} later).
     */
    public record Report(String keyId, int generation, long versionsRewrapped, long uploadsRewrapped, int retiredBelow) {}

    /** Rotates {@code keyId} (a KMS key or {@link KeyService#SSE_S3_KEY_ID}): new generation, rewrap, retire. */
    public Report rotate(String keyId) {
        KeyInfo info = keys.rotateKey(keyId);
        return rewrapAndRetire(info);
    }

    /** Rewraps what is still sealed by older generations of {@code keyId} and retires them (resume after a crash). */
    public Report finish(String keyId) {
        KeyInfo info = keys.describeKey(keyId).orElseThrow(() -> dev.arca.core.StoreException.of(
                dev.arca.core.FailureKind.KMS_NOT_FOUND, "Key '" + keyId + "' does not exist"));
        return rewrapAndRetire(info);
    }

    private Report rewrapAndRetire(KeyInfo info) {
        String keyId = info.keyId();
        int current = info.currentGeneration();
        // Writes that took a data key from an older generation commit first; only then can the scan see them.
        boolean quiet = crypto.awaitQuiet(keyId, current, QUIET_TIMEOUT);
        long[] versions = {0};
        long uploads = 0;
        for (BucketRecord b : meta.buckets()) {
            meta.forEachVersion(b.name(), "", null, entry -> {
                Encryption enc = entry.record().encryption();
                if (stale(enc, keyId, current)) {
                    WrappedKey fresh = keys.rewrap(enc.dataKey(),
                            ObjectCrypto.context(b.name(), entry.key(), enc.kmsContext()));
                    meta.submit(new Command.RewrapObjectKey(b.name(), entry.key(), entry.record().versionId(),
                            enc.dataKey(), fresh));
                    versions[0]++;
                }
                return true;
            });
            String keyMarker = null;
            String uploadMarker = null;
            while (true) {
                UploadListing page = meta.listUploads(b.name(),
                        new UploadQuery("", null, keyMarker, uploadMarker, UPLOAD_PAGE));
                for (UploadRecord u : page.uploads()) {
                    Encryption enc = u.encryption();
                    if (stale(enc, keyId, current)) {
                        WrappedKey fresh = keys.rewrap(enc.dataKey(),
                                ObjectCrypto.context(u.bucket(), u.key(), enc.kmsContext()));
                        meta.submit(new Command.RewrapUploadKey(u.bucket(), u.key(), u.uploadId(), enc.dataKey(), fresh));
                        uploads++;
                    }
                }
                if (!page.truncated()) {
                    break;
                }
                keyMarker = page.nextKeyMarker();
                uploadMarker = page.nextUploadIdMarker();
            }
        }
        if (!quiet) {
            return new Report(keyId, current, versions[0], uploads, 0);
        }
        keys.retireGenerations(keyId, current);
        return new Report(keyId, current, versions[0], uploads, current);
    }

    private static boolean stale(Encryption enc, String keyId, int current) {
        return enc != null && enc.mode() != Encryption.Mode.SSE_C && enc.dataKey().keyId().equals(keyId)
                && enc.dataKey().generation() < current;
    }
}
