package dev.arca.server;

import dev.arca.core.Entropy;
import dev.arca.core.Ids;
import dev.arca.meta.KvMetadataStore;
import dev.arca.meta.kv.RocksKv;
import dev.arca.iam.Iam;
import dev.arca.crypto.BuiltinKeyService;
import dev.arca.crypto.ObjectCipher;
import dev.arca.iam.MasterKey;
import dev.arca.meta.kv.SealedKv;
import dev.arca.s3.AdminExtension;
import dev.arca.s3.RequestGuard;
import dev.arca.s3.RequestObserver;
import java.util.ArrayList;
import java.util.List;
import dev.arca.object.ObjectLayer;
import dev.arca.object.SteadyClock;
import dev.arca.s3.S3Handler;
import dev.arca.s3.auth.Credential;
import dev.arca.s3.auth.CredentialProvider;
import dev.arca.s3.auth.SigV4Authenticator;
import dev.arca.server.http.HttpServerOptions;
import dev.arca.server.http.NettyHttpServer;
import dev.arca.server.http.ServerTls;
import dev.arca.erasure.ErasureCoder;
import dev.arca.erasure.ErasureCoders;
import dev.arca.core.Limits;
import dev.arca.storage.ErasureBlobStore;
import dev.arca.storage.Scrubber;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running Arca node, wired by hand: blob store and metadata store on the data directory, the
 * object layer over them (recovered before serving), the S3 handler, and the HTTP transport.
 * {@link #close()} shuts down in reverse order, letting in-flight requests finish first.
 */
public final class ArcaServer implements AutoCloseable {
    /** The root account's owner id (accounts arrive with IAM; until then there is one). */
    public static final String ROOT_OWNER_ID = "arca-root";
    public static final String ROOT_DISPLAY_NAME = "root";

    private final ServerConfig config;
    private final RootCredentials credentials;
    private final ErasureBlobStore blobs;
    private final KvMetadataStore meta;
    private final ObjectLayer layer;
    private final NettyHttpServer http;
    private final Iam iam;
    private final ObjectLayer.RecoveryReport recovery;
    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Request-path services (audit log, metrics, detectors...), closed after the listener, in reverse order. */
    private final List<AutoCloseable> services;
    private final String auditPublicKey;
    /** What {@code /health/ready} answers: cleared first on close, so load balancers drain us. */
    private final AtomicBoolean handlerReady;
    private final dev.arca.server.zerocopy.ShardFileReads zeroCopy;

    private ArcaServer(ServerConfig config, RootCredentials credentials, ErasureBlobStore blobs, KvMetadataStore meta,
            ObjectLayer layer, ObjectLayer.RecoveryReport recovery, NettyHttpServer http, Iam iam,
            List<AutoCloseable> services, String auditPublicKey, AtomicBoolean handlerReady,
            dev.arca.server.zerocopy.ShardFileReads zeroCopy) {
        this.zeroCopy = zeroCopy;
        this.handlerReady = handlerReady;
        this.services = List.copyOf(services);
        this.auditPublicKey = auditPublicKey;
        this.config = config;
        this.iam = iam;
        this.credentials = credentials;
        this.blobs = blobs;
        this.meta = meta;
        this.layer = layer;
        this.recovery = recovery;
        this.http = http;
    }

    /** Opens the data directory, recovers, and starts serving. */
    public static ArcaServer start(ServerConfig config, Map<String, String> env) {
        return start(config, env, coders(config.erasureCoder()));
    }

    /** The configured coder implementation, as a factory of coders that have not been self-tested yet. */
    static ErasureBlobStore.CoderFactory coders(String name) {
        ErasureCoders.Implementation impl = switch (name) {
            case "isa-l" -> ErasureCoders.Implementation.ISAL;
            case "java-vector" -> ErasureCoders.Implementation.JAVA_VECTOR;
            case "java-scalar" -> ErasureCoders.Implementation.JAVA_SCALAR;
            default -> ErasureCoders.Implementation.AUTO;
        };
        return (k, m) -> ErasureCoders.create(k, m, impl);
    }

    /**
     * Starts with {@code objectClock} as the object layer's clock (last-modified times, Object Lock
     * retention, lifecycle), while request signing keeps the system clock: for tests that move
     * time for retention and lifecycle.
     */
    public static ArcaServer start(ServerConfig config, Map<String, String> env, InstantSource objectClock) {
        return start(config, env, coders(config.erasureCoder()), objectClock);
    }

    /** Starts with {@code coders} as the source of erasure coders (each is self-tested before use). */
    static ArcaServer start(ServerConfig config, Map<String, String> env, ErasureBlobStore.CoderFactory coders) {
        return start(config, env, coders, SteadyClock.system());
    }

    private static ArcaServer start(ServerConfig config, Map<String, String> env, ErasureBlobStore.CoderFactory coders,
            InstantSource objectClock) {
        Entropy entropy = Entropy.secure();
        InstantSource clock = InstantSource.system();
        Ids ids = new Ids(clock, entropy);
        Path data = config.dataDir().toAbsolutePath();
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + data, e);
        }
        RootCredentials credentials = RootCredentials.load(data, env, entropy);
        ErasureBlobStore blobs = openDrives(config, entropy, coders);
        KvMetadataStore meta = null;
        ObjectLayer layer = null;
        Iam iam = null;
        List<AutoCloseable> services = new ArrayList<>();
        try {
            iam = openIam(data, credentials, objectClock, entropy);
            BuiltinKeyService keys = openKeys(data, env, entropy);
            // Compile the AES-GCM intrinsics before the first request (DESIGN.md §8: ~50x slower cold).
            ObjectCipher.warmUp();
            meta = new KvMetadataStore(SealedKv.open(RocksKv.open(data.resolve("meta"), RocksKv.Options.defaults()),
                    keys.metadataCipher()), config.syncMetadata());
            layer = new ObjectLayer(meta, blobs, objectClock, ids, config.region(), keys, entropy, config.encryption());
            ObjectLayer.RecoveryReport recovery = layer.recover();
            layer.startLifecycle(config.lifecycleInterval());
            blobs.startBackground(new Scrubber.Settings(config.scrubRate(), config.scrubInterval(), config.driveCheckInterval()));
            SigV4Authenticator authenticator = new SigV4Authenticator(credentialProvider(iam), clock, config.region());
            AtomicBoolean readyFlag = new AtomicBoolean();
            // What watches, contains and extends request handling: each service adds itself here.
            List<RequestObserver> observers = new ArrayList<>();
            List<RequestGuard> guards = new ArrayList<>();
            List<AdminExtension> extensions = new ArrayList<>();
            Audit audit = null;
            if (config.audit()) {
                audit = Audit.open(config, data, entropy, clock);
                services.add(audit);
                observers.add(audit);
                guards.add(audit);
            }
            // Ransomware detection and containment (README): detectors watch, containment refuses, admins release.
            dev.arca.server.metrics.SecuritySignals security = dev.arca.server.metrics.SecuritySignals.NONE;
            if (config.detect()) {
                Audit sink = audit;
                dev.arca.detect.DetectionService detection = dev.arca.detect.DetectionService.start(data,
                        config.detectRules(), layer, sink == null ? r -> { } : sink::append, clock);
                services.add(detection);
                observers.add(detection.observer());
                guards.add(detection.guard());
                extensions.addAll(detection.extensions());
                security = securitySignals(detection);
            }
            // Telemetry: GET /metrics (Prometheus text) over request, storage and security numbers.
            dev.arca.s3.MetricsEndpoint metricsEndpoint = dev.arca.s3.MetricsEndpoint.NONE;
            if (config.metrics()) {
                dev.arca.server.metrics.Metrics metrics = new dev.arca.server.metrics.Metrics();
                services.add(metrics);
                metrics.bindStorage(blobs);
                metrics.bindSecurity(security);
                observers.add(metrics);
                metricsEndpoint = metrics;
            }
            RestoreAdmin restoreAdmin = new RestoreAdmin(layer, meta, objectClock, ids);
            services.add(restoreAdmin);
            extensions.add(restoreAdmin);
            dev.arca.server.zerocopy.ShardFileReads zeroCopy = new dev.arca.server.zerocopy.ShardFileReads(
                    dev.arca.server.zerocopy.ShardFileReads.Mode.parse(config.zeroCopy()), driveDirs(config), blobs);
            S3Handler handler = new S3Handler(layer, authenticator, config.domains(), ids, clock, readyFlag::get, blobs,
                    ROOT_OWNER_ID, iam, config.sseCOverHttp(), allObservers(observers), allGuards(guards), extensions,
                    metricsEndpoint, zeroCopy);
            HttpServerOptions options = new HttpServerOptions(config.host(), config.port(), config.ioThreads(),
                    config.maxRequests(), config.idleTimeout(), config.bodyTimeout(), config.shutdownGrace());
            NettyHttpServer http = NettyHttpServer.start(options, config.http(), TlsSetup.serverTls(config, data), handler,
                    handler::overloaded);
            ArcaServer server = new ArcaServer(config, credentials, blobs, meta, layer, recovery, http, iam, services,
                    audit == null ? null : audit.publicKey(), readyFlag, zeroCopy);
            readyFlag.set(true);
            server.ready.set(true);
            return server;
        } catch (RuntimeException e) {
            closeAll(services);
            if (layer != null) {
                layer.close();
            }
            if (meta != null) {
                meta.close();
            }
            if (iam != null) {
                iam.close();
            }
            blobs.close();
            throw e;
        }
    }

    /** The detectors' counters as the metrics export them. */
    private static dev.arca.server.metrics.SecuritySignals securitySignals(dev.arca.detect.DetectionService detection) {
        return new dev.arca.server.metrics.SecuritySignals() {
            @Override
            public Map<String, Long> detections() {
                return detection.stats().detectionsByRule();
            }

            @Override
            public long quarantinedPrincipals() {
                return detection.containment().quarantinedCount();
            }

            @Override
            public long protectedBuckets() {
                return detection.containment().protectedCount();
            }

            @Override
            public long responses() {
                return detection.stats().responses();
            }
        };
    }

    /** One observer that hands each event to all of {@code observers} in order. */
    private static RequestObserver allObservers(List<RequestObserver> observers) {
        List<RequestObserver> copy = List.copyOf(observers);
        return event -> copy.forEach(o -> o.observe(event));
    }

    /** One guard that admits a request only if every one of {@code guards} does. */
    private static RequestGuard allGuards(List<RequestGuard> guards) {
        List<RequestGuard> copy = List.copyOf(guards);
        return context -> copy.forEach(g -> g.admit(context));
    }

    /** Closes services newest first; a failure is logged and the rest still close. */
    private static void closeAll(List<AutoCloseable> services) {
        for (int i = services.size() - 1; i >= 0; i--) {
            try {
                services.get(i).close();
            } catch (Exception e) {
                System.getLogger(ArcaServer.class.getName()).log(System.Logger.Level.ERROR,
                        "closing " + services.get(i).getClass().getSimpleName() + " failed", e);
            }
        }
    }

    /** The audit log's checkpoint public key (base64), or empty when auditing is off. */
    public java.util.Optional<String> auditPublicKey() {
        return java.util.Optional.ofNullable(auditPublicKey);
    }

    /**
     * Opens the key service: the master key from {@code ARCA_MASTER_KEY} or {@code <data>/arca-master.key}
     * (created on first start) and the keyring it seals. Without the master key no object can be read.
     */
    private static BuiltinKeyService openKeys(Path data, Map<String, String> env, Entropy entropy) {
        try {
            BuiltinKeyService keys = BuiltinKeyService.open(data, env.get(BuiltinKeyService.MASTER_KEY_ENV), entropy,
                    InstantSource.system());
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the key service in " + data + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens identity and access management: its store in {@code <data>/iam} (RocksDB), secrets and
     * session tokens sealed under the master key in {@code <data>/iam-master.key} (created on first
     * start; back it up with the data: without it no access key or session token can be read), and
     * the root credentials as the system account's root user. STS sessions expire by the object clock.
     */
    private static Iam openIam(Path data, RootCredentials credentials, InstantSource clock, Entropy entropy) {
        try {
            MasterKey key = MasterKey.loadOrCreate(data.resolve(MasterKey.FILE_NAME), entropy);
            return Iam.open(RocksKv.open(data.resolve("iam"), RocksKv.Options.defaults()), key.box(entropy), clock, entropy,
                    credentials.accessKey(), credentials.secretKey());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the IAM master key in " + data, e);
        }
    }

    /**
     * SigV4 credentials from IAM: the principal, and its account as the S3 owner (canonical id and
     * account name), whoever in the account signs, as S3 shows owners.
     */
    private static CredentialProvider credentialProvider(Iam iam) {
        return (accessKey, token) -> iam.authenticate(accessKey, token).map(a -> {
            dev.arca.iam.Principal p = a.principal();
            String accountName = iam.account(p.accountId()).map(dev.arca.iam.Account::name).orElse(p.accountId());
            return new Credential(accessKey, a.secretKey(), p.canonicalId(), accountName, p);
        });
    }

    /**
     * Opens the drives with the configured erasure coding. Every coder passes a known-answer
     * self-test before it is used; a coder that fails it stops the start.
     */
    private static ErasureBlobStore openDrives(ServerConfig config, Entropy entropy, ErasureBlobStore.CoderFactory coders) {
        ErasureBlobStore.CoderFactory factory = (k, m) -> {
            ErasureCoder coder = coders.coder(k, m);
            ErasureCoders.selfTest(coder);
            return coder;
        };
        List<Path> drives = driveDirs(config);
        return ErasureBlobStore.open(drives,
                new ErasureBlobStore.Geometry(config.erasureData(), config.erasureParity(), Limits.BLOB_BLOCK_BYTES),
                config.erasureParityReduced(), factory, entropy);
    }

    /** The drive directories in slot order. */
    private static List<Path> driveDirs(ServerConfig config) {
        return config.drives().stream().map(p -> config.dataDir().resolve(p).toAbsolutePath()).toList();
    }

    /** Where GETs are served from shard files with sendfile ({@code zero-copy}); for diagnostics and tests. */
    public dev.arca.server.zerocopy.ShardFileReads zeroCopy() {
        return zeroCopy;
    }

    /** The erasure-coded blob store (for admin operations: status, heal). */
    public ErasureBlobStore blobStore() {
        return blobs;
    }

    public InetSocketAddress address() {
        return http.address();
    }

    /** The S3 endpoint: plain HTTP, or HTTPS when plain HTTP is off. */
    public String endpoint() {
        return http.plainAddress().isPresent() ? config.endpoint(address().getPort()) : config.tlsEndpoint(address().getPort());
    }

    /** The TLS listener's address, when {@code tls-port} is not off. */
    public Optional<InetSocketAddress> tlsAddress() {
        return http.tlsAddress();
    }

    /** The HTTPS endpoint, when {@code tls-port} is not off. */
    public Optional<String> tlsEndpoint() {
        return http.tlsAddress().map(a -> config.tlsEndpoint(a.getPort()));
    }

    /** The TLS settings in use (provider, certificate chain), when {@code tls-port} is not off. */
    public Optional<ServerTls> tls() {
        return http.tls();
    }

    /** The certificate file the TLS listener serves: {@code tls-cert}, or the self-signed one under {@code <data>/tls/}. */
    public Path tlsCertificateFile() {
        return TlsSetup.certificateFile(config);
    }

    public RootCredentials credentials() {
        return credentials;
    }

    public ObjectLayer.RecoveryReport recovery() {
        return recovery;
    }


    /** The key service sealing every object's data key (master key source, whether it was just created). */
    public BuiltinKeyService keys() {
        return (BuiltinKeyService) layer.objects().crypto().keys().orElseThrow();
    }
    /** The object layer (for consistency checks in tests and admin tools). */
    public ObjectLayer objectLayer() {
        return layer;
    }

    public boolean isReady() {
        return ready.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ready.set(false);
        handlerReady.set(false);
        http.close();
        closeAll(services);
        layer.close();
        meta.close();
        iam.close();
        blobs.close();
    }
}
