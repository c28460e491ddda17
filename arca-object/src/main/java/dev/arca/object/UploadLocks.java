package dev.arca.object;

import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.Retention;
import dev.arca.meta.RetentionMode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Carries a multipart upload's Object Lock settings from CreateMultipartUpload to completion in the
 * upload record's stored headers, under names no client header can have (clients' headers are
 * filtered to the stored set); completion moves them into the version's lock fields.
 */
final class UploadLocks {
    static final String MODE = "arca-upload-lock-mode";
    static final String UNTIL = "arca-upload-lock-until";
    static final String LEGAL_HOLD = "arca-upload-legal-hold";

    private UploadLocks() {}

    static ObjectAttributes stash(ObjectAttributes a, ObjectLock lock) {
        if (lock.isEmpty()) {
            return a;
        }
        Map<String, String> headers = new LinkedHashMap<>(a.headers());
        if (lock.retention() != null) {
            headers.put(MODE, lock.retention().mode().name());
            headers.put(UNTIL, Long.toString(lock.retention().retainUntilMillis()));
        }
        if (lock.legalHold()) {
            headers.put(LEGAL_HOLD, "ON");
        }
        return new ObjectAttributes(headers, a.userMetadata(), a.tags());
    }

    static ObjectLock of(ObjectAttributes a) {
        String mode = a.headers().get(MODE);
        Retention r = mode == null ? null
                : new Retention(RetentionMode.valueOf(mode), Long.parseLong(a.headers().get(UNTIL)));
        return new ObjectLock(r, "ON".equals(a.headers().get(LEGAL_HOLD)));
    }

    static ObjectAttributes strip(ObjectAttributes a) {
        Map<String, String> headers = new LinkedHashMap<>(a.headers());
        headers.remove(MODE);
        headers.remove(UNTIL);
        headers.remove(LEGAL_HOLD);
        return new ObjectAttributes(headers, a.userMetadata(), a.tags());
    }
}
