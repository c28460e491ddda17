package dev.arca.iam;

import dev.arca.meta.Decoder;
import dev.arca.meta.Encoder;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.meta.MetadataCorruptException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * STS session tokens. A token is self-contained, so nothing is stored per session: it is
 * {@code version (1 byte) | sealed payload}, base64url without padding, where the payload (a
 * {@link Encoder} record, tag 't') holds the temporary key id and secret, the role and the
 * expiry, sealed under a key derived from the master key for this purpose alone. Forging or
 * altering a token means breaking AES-GCM; a token's secret is readable only by the server.
 */
final class SessionTokens {
    static final byte TOKEN_VERSION = 1;
    private static final byte R_TOKEN = 't';
    private static final byte RECORD_VERSION = 1;
    /** Binds the sealed payload to its use, so no other box under the same key passes for a token. */
    private static final byte[] AAD = "arca-sts-session-token-v1".getBytes(StandardCharsets.US_ASCII);
    static final String INVALID = "The provided token is malformed or otherwise invalid.";
    static final String EXPIRED = "The provided token has expired.";

    /** What a token carries. */
    record Session(String accessKeyId, String secret, String accountId, String roleName, String roleId,
            String sessionName, long expiryMillis) {
        @Override
        public String toString() {
            return "Session[" + accessKeyId + ", " + accountId + ", " + roleName + "/" + sessionName + ", expires "
                    + expiryMillis + ", secret=<redacted>]";
        }
    }

    private final SecretBox box;

    SessionTokens(SecretBox box) {
        this.box = box;
    }

    String issue(Session s) {
        byte[] payload = new Encoder(R_TOKEN, RECORD_VERSION).str(s.accessKeyId()).str(s.secret()).str(s.accountId())
                .str(s.roleName()).str(s.roleId()).str(s.sessionName()).i64(s.expiryMillis()).finish();
        byte[] sealed = box.seal(payload, AAD);
        Arrays.fill(payload, (byte) 0);
        byte[] token = new byte[1 + sealed.length];
        token[0] = TOKEN_VERSION;
        System.arraycopy(sealed, 0, token, 1, sealed.length);
        String text = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        if (text.length() > IamLimits.SESSION_TOKEN_MAX_CHARS) {
            throw new IllegalStateException("session token longer than the bound: names are bounded, so this is a bug");
        }
        return text;
    }

    /**
     * Opens a token. Expiry is not checked here.
     *
     * @throws StoreException INVALID_TOKEN if it is not a token this server issued, unaltered
     */
    Session open(String token) {
        if (token.isEmpty() || token.length() > IamLimits.SESSION_TOKEN_MAX_CHARS) {
            throw invalid();
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (raw.length < 1 + SecretBox.OVERHEAD || raw[0] != TOKEN_VERSION) {
            throw invalid();
        }
        byte[] payload;
        try {
            payload = box.open(Arrays.copyOfRange(raw, 1, raw.length), AAD);
        } catch (SecretBox.BrokenSealException e) {
            throw invalid();
        }
        try {
            Decoder r = new Decoder(payload, R_TOKEN, RECORD_VERSION);
            Session s = new Session(r.str(), r.str(), r.str(), r.str(), r.str(), r.str(), r.i64());
            r.done();
            return s;
        } catch (MetadataCorruptException e) {
            throw invalid(); // authentic but unreadable: a token of a future format
        } finally {
            Arrays.fill(payload, (byte) 0);
        }
    }

    static StoreException invalid() {
        return StoreException.of(FailureKind.INVALID_TOKEN, INVALID);
    }

    static StoreException expired() {
        return StoreException.of(FailureKind.EXPIRED_TOKEN, EXPIRED);
    }
}
