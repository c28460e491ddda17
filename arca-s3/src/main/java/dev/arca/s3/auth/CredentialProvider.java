package dev.arca.s3.auth;

import java.util.Optional;

/**
 * Looks up the credential for an access key id. Implementations must be thread-safe and fast (it is
 * called once per authenticated request); an unknown or disabled key gives {@link Optional#empty()}.
 */
@FunctionalInterface
public interface CredentialProvider {
    Optional<Credential> find(String accessKeyId);
}
