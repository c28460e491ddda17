package dev.arca.storage;

/**
 * How much parity a new blob gets. {@link #STANDARD} uses the store's configured geometry;
 * {@link #REDUCED} uses the reduced parity (S3's REDUCED_REDUNDANCY storage class) over the same
 * drives, so more of each stripe is data: cheaper, and it survives fewer drive losses.
 */
public enum Redundancy {
    STANDARD,
    REDUCED
}
