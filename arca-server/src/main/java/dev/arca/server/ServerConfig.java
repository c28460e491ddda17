package dev.arca.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
        Duration lifecycleInterval) {
    public ServerConfig {
        domains = List.copyOf(domains);
        drives = List.copyOf(drives);
    }

    public String endpoint(int actualPort) {
        String h = host.equals("0.0.0.0") ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + actualPort;
    }
}
