package dev.arca.s3;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.meta.Encryption;
import dev.arca.object.SseRequest;
import dev.arca.s3.http.Headers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Server-side encryption headers on the wire: parses what a request asks for (SSE-S3, SSE-KMS,
 * SSE-C, and the SSE-C key of a copy source) with the errors AWS gives, and writes the response
 * headers that describe how an object is sealed.
 */
final class Sse {
    static final String SSE = "x-amz-server-side-encryption";
    static final String KMS_KEY_ID = "x-amz-server-side-encryption-aws-kms-key-id";
    static final String KMS_CONTEXT = "x-amz-server-side-encryption-context";
    static final String BUCKET_KEY = "x-amz-server-side-encryption-bucket-key-enabled";
    static final String CUSTOMER_ALGORITHM = "x-amz-server-side-encryption-customer-algorithm";
    static final String CUSTOMER_KEY = "x-amz-server-side-encryption-customer-key";
    static final String CUSTOMER_KEY_MD5 = "x-amz-server-side-encryption-customer-key-md5";
    static final String COPY_PREFIX = "x-amz-copy-source-";
    static final String AES256 = "AES256";
    static final String AWS_KMS = "aws:kms";
    /** Largest encryption context header accepted (AWS: 8 KiB of key/value pairs; base64 adds a third). */
    static final int MAX_CONTEXT_HEADER_CHARS = 12 * 1024;
    private static final int CUSTOMER_KEY_BYTES = 32;

    private Sse() {}

    /**
     * What a write (PutObject, CopyObject's target, CreateMultipartUpload) asks for.
     *
     * @param secure whether the request came over TLS (SSE-C keys are refused over plain HTTP unless
     *               {@code allowSseCOverHttp})
     */
    static SseRequest request(Headers h, boolean secure, boolean allowSseCOverHttp) {
        SseRequest.Customer customer = customerKey(h, "", secure, allowSseCOverHttp);
        String mode = h.get(SSE);
        String kmsKey = h.get(KMS_KEY_ID);
        String context = h.get(KMS_CONTEXT);
        if (customer != null) {
            if (mode != null) {
                throw invalid("Server Side Encryption with Customer provided key is incompatible with the encryption method specified");
            }
            if (kmsKey != null || context != null) {
                throw invalid("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms");
            }
            return customer;
        }
        if (mode == null) {
            if (kmsKey != null || context != null) {
                throw invalid("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms");
            }
            return SseRequest.DEFAULT;
        }
        String m = mode.trim();
        if (m.equals(AES256)) {
            if (kmsKey != null || context != null) {
                throw invalid("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms");
            }
            return new SseRequest.S3();
        }
        if (m.equals(AWS_KMS)) {
            return new SseRequest.Kms(kmsKey == null ? null : kmsKeyId(kmsKey), context == null ? null : context(context));
        }
        throw invalid("The encryption method specified is not supported");
    }

    /**
     * The SSE-C key a request carries for the object it names ({@code prefix} "") or for its copy
     * source ({@code prefix} {@value #COPY_PREFIX}), or null when it carries none.
     */
    static SseRequest.Customer customerKey(Headers h, String prefix, boolean secure, boolean allowSseCOverHttp) {
        String algorithm = h.get(named(prefix, CUSTOMER_ALGORITHM));
        String key = h.get(named(prefix, CUSTOMER_KEY));
        String md5 = h.get(named(prefix, CUSTOMER_KEY_MD5));
        if (algorithm == null && key == null && md5 == null) {
            return null;
        }
        if (!secure && !allowSseCOverHttp) {
            throw StoreException.of(FailureKind.INVALID_REQUEST,
                    "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.");
        }
        if (algorithm == null) {
            throw invalid("Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.");
        }
        if (!algorithm.trim().equals(AES256)) {
            throw StoreException.of(FailureKind.INVALID_ENCRYPTION_ALGORITHM,
                    "The encryption request that you specified is not valid. The valid value is AES256.");
        }
        if (key == null) {
            throw invalid("Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.");
        }
        if (md5 == null) {
            throw invalid("Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(key.trim());
        } catch (IllegalArgumentException e) {
            throw invalid("The secret key was invalid for the specified algorithm.");
        }
        if (raw.length != CUSTOMER_KEY_BYTES) {
            throw invalid("The secret key was invalid for the specified algorithm.");
        }
        String expected = Base64.getEncoder().encodeToString(md5(raw));
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                md5.trim().getBytes(StandardCharsets.US_ASCII))) {
            throw invalid("The calculated MD5 hash of the key did not match the hash that was provided.");
        }
        return new SseRequest.Customer(raw, md5.trim());
    }

    /** {@code x-amz-server-side-encryption-…} or, with the copy prefix, {@code x-amz-copy-source-server-side-encryption-…}. */
    private static String named(String prefix, String header) {
        return prefix.isEmpty() ? header : prefix + header.substring("x-amz-".length());
    }

    /** A KMS key id from a bare id, a key ARN, or an alias (ARN): the id the key service knows. */
    static String kmsKeyId(String value) {
        String v = value.trim();
        if (v.startsWith("arn:")) {
            int key = v.indexOf(":key/");
            int alias = v.indexOf(":alias/");
            if (key > 0) {
                v = v.substring(key + ":key/".length());
            } else if (alias > 0) {
                v = v.substring(alias + ":alias/".length());
            } else {
                throw invalid("Invalid arn " + value);
            }
        } else if (v.startsWith("alias/")) {
            v = v.substring("alias/".length());
        }
        if (v.isEmpty() || v.length() > 256 || !v.chars().allMatch(c -> c < 128
                && (Character.isLetterOrDigit(c) || c == '/' || c == '_' || c == '-'))) {
            throw StoreException.of(FailureKind.KMS_NOT_FOUND, "Invalid keyId " + value);
        }
        return v;
    }

    /** Checks the encryption context is base64 of a JSON object of strings, as AWS requires. */
    private static String context(String value) {
        String v = value.trim();
        if (v.length() > MAX_CONTEXT_HEADER_CHARS) {
            throw invalid("The header 'x-amz-server-side-encryption-context' is too long.");
        }
        String json;
        try {
            json = new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw badContext();
        }
        String t = json.trim();
        if (!t.startsWith("{") || !t.endsWith("}")) {
            throw badContext();
        }
        return v;
    }

    private static StoreException badContext() {
        return invalid("The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map");
    }

    /** Response headers describing {@code encryption}; {@code customerKeyMd5} is the request's (SSE-C). */
    static void responseHeaders(Encryption encryption, String region, String customerKeyMd5, Headers out) {
        if (encryption == null) {
            return;
        }
        switch (encryption.mode()) {
            case SSE_S3 -> out.set(SSE, AES256);
            case SSE_KMS -> {
                out.set(SSE, AWS_KMS);
                out.set(KMS_KEY_ID, arn(region, encryption.dataKey().keyId()));
            }
            case SSE_C -> {
                out.set(CUSTOMER_ALGORITHM, AES256);
                if (customerKeyMd5 != null) {
                    out.set(CUSTOMER_KEY_MD5, customerKeyMd5);
                }
            }
        }
    }

    /** The ARN a KMS key is reported as. */
    static String arn(String region, String keyId) {
        return "arn:aws:kms:" + region + ":" + dev.arca.iam.Account.SYSTEM_ID + ":key/" + keyId;
    }

    static String modeName(Encryption.Mode mode) {
        return mode == Encryption.Mode.SSE_KMS ? AWS_KMS : AES256;
    }

    static byte[] md5(byte[] bytes) {
        try {
            return MessageDigest.getInstance("MD5").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required by the JDK", e);
        }
    }

    private static StoreException invalid(String message) {
        return StoreException.of(FailureKind.INVALID_ARGUMENT, message);
    }
}
