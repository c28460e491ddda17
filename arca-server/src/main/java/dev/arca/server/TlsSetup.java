package dev.arca.server;

import dev.arca.server.http.ServerTls;
import dev.arca.server.tls.TlsIdentity;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;

/**
 * The TLS listener's settings from the configuration: the key and certificate from {@code tls-cert}
 * and {@code tls-key}, or the self-signed pair under {@code <data>/tls/} (generated on first start,
 * reused afterwards), with the {@code tls-provider} implementation.
 */
final class TlsSetup {
    private TlsSetup() {}

    /** Where the generated self-signed pair lives. */
    static Path selfSignedDirectory(Path dataDir) {
        return dataDir.resolve(TlsIdentity.DIRECTORY);
    }

    /** The certificate file in use: {@code tls-cert}, or the generated one. */
    static Path certificateFile(ServerConfig config) {
        return config.tlsCert().orElse(selfSignedDirectory(config.dataDir()).resolve(TlsIdentity.CERT_FILE)).toAbsolutePath();
    }

    /**
     * The TLS settings, or null when {@code tls-port} is off. Unusable PEM files, or a provider
     * that does not load, are {@link ConfigLoader.ConfigException}s naming the key.
     */
    static ServerTls serverTls(ServerConfig config, Path dataDir) {
        if (!config.tls()) {
            return null;
        }
        TlsIdentity identity = identity(config, dataDir);
        try {
            return ServerTls.create(config.tlsPort(), identity.key(), identity.chain(), ServerTls.Provider.parse(config.tlsProvider()));
        } catch (IllegalStateException e) {
            throw new ConfigLoader.ConfigException(e.getMessage());
        }
    }

    static TlsIdentity identity(ServerConfig config, Path dataDir) {
        try {
            if (config.tlsCert().isPresent()) {
                return TlsIdentity.load(config.tlsCert().get(), config.tlsKey().orElseThrow());
            }
            return TlsIdentity.selfSigned(selfSignedDirectory(dataDir), config.host(), Instant.now(), new SecureRandom());
        } catch (TlsIdentity.InvalidTlsFileException e) {
            throw new ConfigLoader.ConfigException("tls-cert/tls-key: " + e.getMessage());
        }
    }
}
