package dev.arca.s3.auth;

import java.util.Optional;

/**
 * Looks up the credential for an access key id. Implementations must be thread-safe and fast (it is
 * called once per authenticated request); an unknown or disabled key gives {@link Optional#empty()}.
 * {@code sessionToken} is the request's x-amz-security-token (null if none): temporary credentials
 * need a valid one, and a bad or expired token is a {@link dev.arca.core.StoreException}
 * (InvalidToken, ExpiredToken).
 */
@FunctionalInterface
public interface CredentialProvider {
    Optional<Credential> find(String accessKeyId, String sessionToken);
}
