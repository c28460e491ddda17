package dev.arca.iam;

import dev.arca.core.Entropy;
import dev.arca.core.Hex;
import java.util.Base64;

/** Generates IAM's unique ids, account ids and access keys from injected entropy. Thread-safe. */
final class IamIds {
    /** AWS's unique ids and key ids use upper-case letters and the digits 2-7 (base32). */
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    /** Characters after the 4-letter prefix: AIDA + 17 = 21, as AWS's unique ids. */
    static final int UNIQUE_ID_SUFFIX = 17;
    /** AKIA + 16 = 20, as AWS's access key ids. */
    static final int ACCESS_KEY_SUFFIX = 16;
    /** 30 random bytes are 40 base64 characters, the length of AWS secret keys. */
    static final int SECRET_BYTES = 30;
    static final int ACCOUNT_ID_DIGITS = 12;
    static final int CANONICAL_ID_BYTES = 32;

    static final String USER_PREFIX = "AIDA";
    static final String GROUP_PREFIX = "AGPA";
    static final String ROLE_PREFIX = "AROA";
    static final String POLICY_PREFIX = "ANPA";
    static final String ACCESS_KEY_PREFIX = "AKIA";
    static final String TEMPORARY_KEY_PREFIX = "ASIA";

    private final Entropy entropy;

    IamIds(Entropy entropy) {
        this.entropy = entropy;
    }

    String uniqueId(String prefix) {
        return prefix + base32(UNIQUE_ID_SUFFIX);
    }

    String accessKeyId() {
        return ACCESS_KEY_PREFIX + base32(ACCESS_KEY_SUFFIX);
    }

    String temporaryAccessKeyId() {
        return TEMPORARY_KEY_PREFIX + base32(ACCESS_KEY_SUFFIX);
    }

    /** 40 characters of the standard base64 alphabet, like AWS secret access keys. */
    String secret() {
        return Base64.getEncoder().encodeToString(random(SECRET_BYTES));
    }

    /** 12 decimal digits, never the system account's. */
    String accountId() {
        while (true) {
            byte[] b = random(8);
            long v = 0;
            for (byte x : b) {
                v = (v << 8) | (x & 0xFF);
            }
            String id = String.format("%012d", Long.remainderUnsigned(v, 1_000_000_000_000L));
            if (!Account.SYSTEM_ID.equals(id)) {
                return id;
            }
        }
    }

    String canonicalId() {
        return Hex.encode(random(CANONICAL_ID_BYTES));
    }

    private String base32(int length) {
        byte[] b = random(length);
        StringBuilder sb = new StringBuilder(length);
        for (byte x : b) {
            sb.append(BASE32.charAt(x & 31));
        }
        return sb.toString();
    }

    private byte[] random(int n) {
        byte[] b = new byte[n];
        synchronized (entropy) { // seeded entropy is not thread-safe
            entropy.nextBytes(b);
        }
        return b;
    }
}
