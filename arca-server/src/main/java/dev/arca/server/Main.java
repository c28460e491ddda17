package dev.arca.server;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** The {@code arca} command line: {@code serve} runs the server in the foreground until SIGTERM/SIGINT. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> rest = Arrays.asList(args);
        String command = rest.isEmpty() ? "serve" : rest.getFirst();
        if (!rest.isEmpty()) {
            rest = rest.subList(1, rest.size());
        }
        return switch (command) {
            case "serve" -> serve(rest, out, err);
            case "help", "--help", "-h" -> {
                usage(out);
                yield 0;
            }
            default -> {
                err.println("arca: unknown command '" + command + "'");
                usage(err);
                yield 2;
            }
        };
    }

    private static void usage(PrintStream s) {
        s.println("usage: arca serve [--data DIR] [--address HOST:PORT] [--config FILE] [--KEY VALUE ...]");
        s.println("configuration keys: " + String.join(", ", ConfigLoader.keys()));
    }

    private static int serve(List<String> args, PrintStream out, PrintStream err) {
        ServerConfig config;
        try {
            config = ConfigLoader.load(args, System.getenv());
        } catch (ConfigLoader.ConfigException e) {
            err.println("arca: " + e.getMessage());
            return 2;
        }
        if (config.logFormat().equals("json")) {
            dev.arca.server.metrics.JsonLogFormatter.install();
        }
        ArcaServer server;
        try {
            server = ArcaServer.start(config, System.getenv());
        } catch (ConfigLoader.ConfigException e) {
            err.println("arca: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("arca: cannot start: " + e);
            e.printStackTrace(err);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "arca-shutdown"));
        var r = server.recovery();
        out.println("Arca data directory: " + config.dataDir().toAbsolutePath()
                + " (start-up recovery removed " + r.temporaryFiles() + " temporary files, "
                + r.abandonedBlobs() + " unfinished writes, " + r.garbageBlobs() + " garbage blobs)");
 var store = server.blobStore();
        out.println("Drives: " + store.driveCount() + " (" + store.geometry().dataShards() + " data + "
                + store.geometry().parityShards() + " parity shards per stripe; REDUCED_REDUNDANCY "
                + (store.geometry().dataShards() + store.geometry().parityShards() - store.reducedParityShards()) + "+"
                + store.reducedParityShards() + "; coder " + store.coder().name() + ")"
                + store.driveStatus().stream().filter(d -> !d.state().equals("online"))
                        .map(d -> "; drive " + d.number() + " " + d.state()).reduce("", String::concat));
        out.println("Root access key: " + server.credentials().accessKey());
        out.println("Root secret key: " + server.credentials().secretKey()
                + (server.credentials().generated() ? "   (generated now and kept in " + config.dataDir().resolve(RootCredentials.FILE) + ")" : ""));
        out.println("IAM master key: " + config.dataDir().resolve(dev.arca.iam.MasterKey.FILE_NAME)
                + " (seals access-key secrets and STS tokens: back it up with the data directory; without it no key works)");
        out.println("Master key: " + server.keys().masterKeySource() + (server.keys().createdMasterKey()
                ? "   (NEW: back it up now, apart from the data directory; without it no object stored here can be read)"
                : "") + "; objects are encrypted at rest (" + (config.encryption() ? "SSE-S3 by default" : "default encryption OFF") + ")");
        server.auditPublicKey().ifPresent(key -> out.println("Audit log: " + config.dataDir().resolve("audit")
                + " (verify with ./arca audit verify --public-key " + key + ")"));
        out.println("Region: " + config.region() + "; virtual-hosted buckets under: " + String.join(", ", config.domains()));
        server.tls().ifPresent(tls -> {
            var leaf = tls.certificateChain().getFirst();
            out.println("HTTPS endpoint: " + server.tlsEndpoint().orElseThrow() + " (" + String.join("/", tls.protocols()) + " via "
                    + tls.providerDescription() + (config.http() ? "" : "; plain HTTP off") + ")");
            out.println("TLS certificate: " + server.tlsCertificateFile()
                    + (config.tlsCert().isEmpty() ? " (self-signed; clients must trust this file)" : "")
                    + " SHA-256 " + dev.arca.server.tls.TlsIdentity.sha256Fingerprint(leaf) + ", valid until "
                    + leaf.getNotAfter().toInstant());
        });
        out.println("Arca ready: S3 endpoint " + server.endpoint());
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
