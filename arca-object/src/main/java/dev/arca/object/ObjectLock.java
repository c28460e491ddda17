package dev.arca.object;

import dev.arca.meta.Retention;

/**
 * The Object Lock settings a write asks for (x-amz-object-lock-mode, -retain-until-date and
 * -legal-hold): a retention (null for none, then the bucket default applies) and a legal hold.
 */
public record ObjectLock(Retention retention, boolean legalHold) {
    public static final ObjectLock NONE = new ObjectLock(null, false);

    public boolean isEmpty() {
        return retention == null && !legalHold;
    }
}
