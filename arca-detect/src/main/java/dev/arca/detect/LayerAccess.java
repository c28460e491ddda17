package dev.arca.detect;

import dev.arca.core.BucketName;
import dev.arca.core.ByteEntropy;
import dev.arca.core.Conditions;
import dev.arca.core.FailureKind;
import dev.arca.core.ObjectKey;
import dev.arca.core.RangeSpec;
import dev.arca.core.StoreException;
import dev.arca.meta.Encryption;
import dev.arca.meta.ObjectRecord;
import dev.arca.object.ObjectRead;
import dev.arca.object.ObjectStore;
import dev.arca.object.ReadOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * What detection and containment need from the object layer: the entropy sample of an older
 * version (the previous version of an overwrite) and whether a key currently exists.
 */
final class LayerAccess implements PreviousSampler, Containment.KeyExists {
    /** Bytes read per buffer while sampling. */
    private static final int READ_BUFFER_BYTES = 16 * 1024;

    private final ObjectStore objects;

    LayerAccess(ObjectStore objects) {
        this.objects = objects;
    }

    @Override
    public Optional<Sample> sample(String bucket, String key, String versionId) {
        BucketName b;
        ObjectKey k;
        try {
            b = new BucketName(bucket);
            k = new ObjectKey(key);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        try {
            ObjectRecord head = objects.get(b, k, new ReadOptions(null, null, Conditions.NONE, versionId), false).record();
            Encryption enc = head.encryption();
            if (enc != null && enc.mode() == Encryption.Mode.SSE_C) {
                // Only its owner's key opens it: not readable here, and not "clear" either.
                return Optional.empty();
            }
            if (head.size() == 0) {
                return Optional.of(new Sample(0, 0));
            }
            RangeSpec first = new RangeSpec.FromTo(0, ByteEntropy.SAMPLE_BYTES - 1);
            ObjectRead read = objects.get(b, k, new ReadOptions(first, null, Conditions.NONE, versionId), true);
            ByteEntropy e = new ByteEntropy();
            try (InputStream in = read.body()) {
                byte[] buf = new byte[READ_BUFFER_BYTES];
                int n;
                while (e.sampled() < ByteEntropy.SAMPLE_BYTES && (n = in.read(buf)) > 0) {
                    e.update(buf, 0, n);
                }
            }
            return Optional.of(new Sample(e.bitsPerByte(), e.sampled()));
        } catch (StoreException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean exists(String bucket, String key) {
        try {
            objects.get(new BucketName(bucket), new ObjectKey(key), ReadOptions.WHOLE, false);
            return true;
        } catch (StoreException e) {
            if (e.kind() == FailureKind.NO_SUCH_KEY || e.kind() == FailureKind.NO_SUCH_BUCKET) {
                return false;
            }
            throw e;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
