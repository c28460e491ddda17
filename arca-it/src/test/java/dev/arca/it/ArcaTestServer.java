package dev.arca.it;

import dev.arca.server.ArcaServer;
import dev.arca.server.ConfigLoader;
import dev.arca.server.ServerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real Arca server in this JVM on a free loopback port, over a data directory the test owns.
 * Virtual-hosted-style requests use {@code <bucket>.s3.arca.test}; clients resolve every name to
 * loopback (see {@link Clients}). TLS is off unless a test's flags turn it on ({@code --tls-port 0}):
 * the default port 9443 would clash between servers.
 */
public final class ArcaTestServer implements AutoCloseable {
    public static final String ACCESS_KEY = "AKIAARCATESTROOT0001";
    public static final String SECRET_KEY = "arcaTestSecretKey/0123456789abcdefghijkl";
    public static final String REGION = "us-east-1";
    public static final String DOMAIN = "s3.arca.test";
    /**
     * The ransomware detectors are off unless a test turns them on ({@code --detect on}, as DetectionTest
     * does): suites that attack Object Lock on purpose would otherwise quarantine their own principals.
     */
    static final String DETECT = "off";

    private final ArcaServer server;
    private final Path dataDir;

    private ArcaTestServer(ArcaServer server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
    }

    /** Starts a server on {@code dataDir} with the test root credentials and any extra config flags. */
    public static ArcaTestServer start(Path dataDir, String... extraFlags) {
        List<String> flags = new java.util.ArrayList<>(List.of("--data", dataDir.toString(), "--address", "127.0.0.1:0",
                "--domains", DOMAIN + ",localhost", "--tls-port", "off", "--detect", DETECT));
        flags.addAll(List.of(extraFlags));
        Map<String, String> env = Map.of("ARCA_ROOT_ACCESS_KEY", ACCESS_KEY, "ARCA_ROOT_SECRET_KEY", SECRET_KEY);
        ServerConfig config = ConfigLoader.load(flags, env);
        return new ArcaTestServer(ArcaServer.start(config, env), dataDir);
    }

    /**
     * Starts a server whose object layer (Object Lock retention, lifecycle) reads {@code objectClock}
     * while request signing keeps the real clock: the test hook
     * {@code ArcaServer.start(ServerConfig, Map, InstantSource)}.
     */
    public static ArcaTestServer start(Path dataDir, java.time.InstantSource objectClock, String... extraFlags) {
        List<String> flags = new java.util.ArrayList<>(List.of("--data", dataDir.toString(), "--address", "127.0.0.1:0",
                "--domains", DOMAIN + ",localhost", "--tls-port", "off", "--detect", DETECT));
        flags.addAll(List.of(extraFlags));
        Map<String, String> env = Map.of("ARCA_ROOT_ACCESS_KEY", ACCESS_KEY, "ARCA_ROOT_SECRET_KEY", SECRET_KEY);
        ServerConfig config = ConfigLoader.load(flags, env);
        return new ArcaTestServer(ArcaServer.start(config, env, objectClock), dataDir);
    }

    public int port() {
        return server.address().getPort();
    }

    /** Path-style endpoint, e.g. http://127.0.0.1:PORT */
    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    /** Endpoint whose host makes SDKs use virtual-hosted style: http://s3.arca.test:PORT */
    public String virtualHostEndpoint() {
        return "http://" + DOMAIN + ":" + port();
    }

    public Path dataDir() {
        return dataDir;
    }

    public ArcaServer server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
    }
}
