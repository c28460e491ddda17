package dev.arca.crypto;

import java.util.List;
import java.util.Optional;

/**
 * Envelope encryption's key side: key-encryption keys (KEKs) that seal per-object data keys (DEKs).
 * The built-in implementation is {@link BuiltinKeyService}; an external KMS (KMIP, Vault Transit)
 * can implement this interface instead. Thread-safe.
 *
 * <p>Every seal binds a caller-chosen {@code context} (authenticated, not stored): unsealing with a
 * different context fails. Callers pass the object's bucket, key and encryption context, so a sealed
 * DEK cannot be moved to another object.
 *
 * <p>Expected failures are {@link dev.arca.core.StoreException}s: {@code KMS_NOT_FOUND} for an unknown
 * key id or a generation whose material was retired, {@code KMS_DISABLED} for a disabled key,
 * {@code INVALID_ARGUMENT} for a malformed key id. A sealed DEK that fails authentication (tampered,
 * wrong context) is a broken invariant: {@link IllegalStateException}.
 */
public interface KeyService extends AutoCloseable {
    /** The built-in KEK that seals SSE-S3 data keys; it always exists and cannot be disabled. */
    String SSE_S3_KEY_ID = "arca/s3";
    /** The KMS key used for aws:kms requests that name no key (AWS's "aws/s3" managed key); created on first use. */
    String DEFAULT_KMS_KEY_ID = "aws/s3";

    /** A fresh random 32-byte DEK sealed by the current generation of {@code keyId}. */
    DataKey generateDataKey(String keyId, byte[] context);

    /** The plaintext DEK of {@code wrapped}; the caller wipes it when done. */
    byte[] unwrap(WrappedKey wrapped, byte[] context);

    /**
     * {@code wrapped} sealed again by the current generation of its KEK (the same object when it
     * already is current). Used by rotation: the data sealed by the DEK is untouched.
     */
    WrappedKey rewrap(WrappedKey wrapped, byte[] context);

    /** Creates a named KMS key (ids: 1-256 of [A-Za-z0-9/_-], not starting with "arca/"). ENTITY_ALREADY_EXISTS if taken. */
    KeyInfo createKey(String keyId, String description);

    Optional<KeyInfo> describeKey(String keyId);

    /** Every named key, the SSE-S3 key included, by id. */
    List<KeyInfo> listKeys();

    /** Enables or disables a named key; the SSE-S3 key cannot be disabled (INVALID_ARGUMENT). */
    KeyInfo setEnabled(String keyId, boolean enabled);

    /** Adds a new generation to {@code keyId} and makes it current; older generations stay until retired. */
    KeyInfo rotateKey(String keyId);

    /**
     * Destroys the material of every generation of {@code keyId} below {@code keepFrom} (never the
     * current one). Call only after every DEK sealed by them was rewrapped.
     */
    KeyInfo retireGenerations(String keyId, int keepFrom);

    /**
     * Replaces the master key that seals the keyring with a new random one, re-sealing the keyring;
     * the old master key is destroyed. INVALID_REQUEST when the master key came from the environment.
     */
    void rotateMasterKey();

    /** A cipher for metadata values, keyed by a keyring key that is not a KMS key. */
    ValueCipher metadataCipher();

    @Override
    void close();
}
