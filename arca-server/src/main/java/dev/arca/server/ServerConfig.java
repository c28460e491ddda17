package dev.arca.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Validated server configuration. Built by {@link ConfigLoader} from defaults, a config file,
 * {@code ARCA_*} environment variables and command-line flags, in that order of precedence
 * (later wins). Every key is documented in README.md ("Configuration").
 *
 * @param dataDir            where everything lives: {@code meta/} (RocksDB), credentials, and by default the drives
 * @param host               listen address
 * @param port               listen port (0 picks a free port; the chosen one is printed)
 * @param region             the region this server is (bucket locations, SigV4 scope)
 * @param domains            host names for virtual-hosted-style addressing ({@code <bucket>.<domain>})
 * @param ioThreads          Netty event-loop threads
 * @param maxRequests        requests handled at once; more get 503 SlowDown
 * @param idleTimeout        idle keep-alive connections are closed after this
 * @param bodyTimeout        a request body that stalls this long fails (RequestTimeout)
 * @param shutdownGrace      how long SIGTERM waits for in-flight requests
 * @param syncMetadata       fsync each metadata batch (turn off only for throwaway test data)
 * @param drives             drive directories, in order (by default {@code dataDir/drive-1..4})
 * @param erasureData        k: data shards per stripe
 * @param erasureParity      m: parity shards per stripe (k + m &le; drives)
 * @param erasureParityReduced m for objects stored as REDUCED_REDUNDANCY (0 … erasureParity), over the same drives
 * @param erasureCoder       coder implementation: auto, isa-l, java-vector or java-scalar
 * @param scrubRate          bytes per second the background scrubber verifies; 0 turns it off
 * @param scrubInterval      time between the starts of two scrub passes
 * @param driveCheckInterval how often to look for replaced (empty) drives to format and refill
 * @param lifecycleInterval  time between two runs of the lifecycle worker (expiration rules)
 * @param http               whether plain HTTP listens on {@code port}
 * @param tlsPort            the HTTPS port on {@code host} (0 picks a free one), or -1 for no TLS listener
 * @param tlsCert            PEM certificate chain (leaf first); empty: a self-signed one under {@code <data>/tls/}
 * @param tlsKey             PEM private key (PKCS#8, RSA or EC) of {@code tlsCert}; given exactly when it is
 * @param tlsProvider        TLS implementation: auto (BoringSSL when it loads, else the JDK), openssl or jdk
 * @param encryption         whether buckets without an encryption configuration get SSE-S3 (on by default;
 *                           off stores such objects in clear, for benchmarks and trusted disks only)
 * @param sseCOverHttp       whether SSE-C customer keys are accepted over plain HTTP (AWS refuses them)
 * @param audit              whether every request is appended to the hash-chained audit log in {@code <data>/audit}
 * @param auditExportFile    a file that also receives every audit record as a JSON line, if set
 * @param auditWebhook       a URL that receives audit records as JSON lines (POST batches), if set
 * @param metrics            whether {@code GET /metrics} serves Prometheus text (unauthenticated, like the health probes)
 * @param logFormat          "text" or "json" (one JSON object per log line)
 * @param detect             whether the ransomware detectors watch the request stream and respond
 * @param detectRules        a file overriding detector thresholds and responses, if set
 * @param zeroCopy           "verified" (default), "unverified" or "off": whether GETs of data stored as served
 *                           (unencrypted, any erasure coding) go out from the data shard files with sendfile,
 *                           and whether each chunk's CRC is checked first (see ShardFileReads)
 */
public record ServerConfig(
        Path dataDir,
        String host,
        int port,
        String region,
        List<String> domains,
        int ioThreads,
        int maxRequests,
        Duration idleTimeout,
        Duration bodyTimeout,
        Duration shutdownGrace,
        boolean syncMetadata,
        List<Path> drives,
        int erasureData,
        int erasureParity,
        int erasureParityReduced,
        String erasureCoder,
        long scrubRate,
        Duration scrubInterval,
        Duration driveCheckInterval,
        Duration lifecycleInterval,
        boolean http,
        int tlsPort,
        Optional<Path> tlsCert,
        Optional<Path> tlsKey,
        String tlsProvider,
        boolean encryption,
        boolean sseCOverHttp,
        boolean audit,
        Optional<Path> auditExportFile,
        Optional<java.net.URI> auditWebhook,
        boolean metrics,
        String logFormat,
        boolean detect,
        Optional<Path> detectRules,
        String zeroCopy) {
    /** {@link #tlsPort} when no TLS listener runs. */
    public static final int TLS_OFF = -1;

    public ServerConfig {
        domains = List.copyOf(domains);
        drives = List.copyOf(drives);
        if (tlsCert.isPresent() != tlsKey.isPresent()) {
            throw new IllegalArgumentException("tls-cert and tls-key go together");
        }
    }

    public String endpoint(int actualPort) {
        return endpoint("http", actualPort);
    }

    /** The HTTPS endpoint for the TLS listener bound on {@code actualPort}. */
    public String tlsEndpoint(int actualPort) {
        return endpoint("https", actualPort);
    }

    private String endpoint(String scheme, int actualPort) {
        String h = host.equals("0.0.0.0") ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
        return scheme + "://" + h + ":" + actualPort;
    }

    /** Whether a TLS listener runs. */
    public boolean tls() {
        return tlsPort != TLS_OFF;
    }
}
