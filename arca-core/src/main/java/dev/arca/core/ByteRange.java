package dev.arca.core;

/** A resolved, non-empty byte range {@code [first, last]} inside an object of known length. */
public record ByteRange(long first, long last) {
    public ByteRange {
        if (first < 0 || last < first) {
            throw new IllegalArgumentException("bad range " + first + "-" + last);
        }
    }

    public long length() {
        return last - first + 1;
    }

    public static ByteRange whole(long length) {
        return new ByteRange(0, length - 1);
    }
}
