package dev.arca.storage;

/** Blob ids: 32 lower-case hex characters (16 random bytes). They name files, so they are checked strictly. */
final class BlobIds {
    static final int ID_CHARS = 32;

    private BlobIds() {}

    /** Throws IllegalArgumentException unless {@code id} is 32 lower-case hex characters. */
    static String requireValid(String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException("blob id must be 32 lower-case hex characters: " + id);
        }
        return id;
    }

    static boolean isValid(String id) {
        if (id == null || id.length() != ID_CHARS) {
            return false;
        }
        for (int i = 0; i < ID_CHARS; i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
