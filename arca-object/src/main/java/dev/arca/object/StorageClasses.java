package dev.arca.object;

import dev.arca.meta.ObjectAttributes;
import dev.arca.storage.Redundancy;

/**
 * S3 storage classes Arca stores: STANDARD (the configured erasure coding) and
 * REDUCED_REDUNDANCY (less parity over the same drives). A non-standard class is kept with the
 * object as the stored header {@value #HEADER}, which GET, HEAD and listings report; STANDARD is
 * never stored (S3 does not return the header for it).
 */
public final class StorageClasses {
    public static final String HEADER = "x-amz-storage-class";
    public static final String STANDARD = "STANDARD";
    public static final String REDUCED_REDUNDANCY = "REDUCED_REDUNDANCY";

    private StorageClasses() {}

    /** The storage class of stored attributes. */
    public static String of(ObjectAttributes attributes) {
        return attributes.headers().getOrDefault(HEADER, STANDARD);
    }

    static Redundancy redundancy(ObjectAttributes attributes) {
        return of(attributes).equals(REDUCED_REDUNDANCY) ? Redundancy.REDUCED : Redundancy.STANDARD;
    }
}
