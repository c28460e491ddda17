package dev.arca.client.sign;

/**
 * The intermediate and final products of signing one request; the intermediates are kept
 * because a mismatch is only debuggable by comparing them with the server's.
 *
 * @param canonicalRequest the canonical request text
 * @param stringToSign the string to sign
 * @param signature the hex signature
 * @param authorization the complete {@code Authorization} header value
 */
public record SigV4Signature(String canonicalRequest, String stringToSign, String signature, String authorization) {
}
