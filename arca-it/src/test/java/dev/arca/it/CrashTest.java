package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.arca.core.Entropy;
import dev.arca.core.Ids;
import dev.arca.meta.KvMetadataStore;
import dev.arca.meta.kv.RocksKv;
import dev.arca.object.ObjectLayer;
import dev.arca.core.Limits;
import dev.arca.erasure.ErasureCoders;
import dev.arca.storage.ErasureBlobStore;
import dev.arca.storage.HealReport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The crash requirement: a child server process killed with SIGKILL while 8 clients PUT loses no
 * acknowledged write, shows no torn object, and leaves no unreferenced file once its start-up
 * sweep ran. Each round reuses the previous round's data directory, so state accumulates.
 *
 * <p>Model: every key has exactly one writer thread, so at the kill a key holds either its last
 * acknowledged version or the single version still in flight ("in doubt"); after verification the
 * in-doubt outcome is resolved from what the server returned and the model is exact again.
 *
 * <p>{@code -Darca.crash.seed=N} replays a seed (the op sequence; kill timing is inherently racy),
 * {@code -Darca.crash.rounds=N} soaks longer. ChildServer logs land in {@code target/crash-test/}.
 */
class CrashTest {
    /** The server's default: four drives, 2+2 erasure coding. */
    private static final int DRIVES = 4;
    private static final String BUCKET = "crash";
    private static final int WRITERS = 8;
    private static final int MIB = 1024 * 1024;
    /** Objects below this are stored inline in metadata. */
    private static final int INLINE_LIMIT = 128 * 1024;
    private static final int PART_SIZE = 5 * MIB;
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path dir;

    /** One version a writer sent: content derives from (seed, key, n); {@code parts == 0} is a plain PUT. */
    record Version(String key, int n, int size, int parts) {}

    /** A key's state in the model; touched only by its writer thread during a round. */
    static final class KeyState {
        Version acked;
        Version inDoubt;
        int nextN;
    }

    /** One writer's keys, owned by it across rounds. */
    static final class Writer {
        final Map<String, KeyState> keys = new LinkedHashMap<>();
        final List<String> names = new ArrayList<>();
    }

    @Test
    void acknowledgedPutsSurviveSigkillAndNothingLeaks() throws Exception {
        long seed = Long.getLong("arca.crash.seed", new SecureRandom().nextLong());
        int rounds = Integer.getInteger("arca.crash.rounds", 3);
        System.out.println("CrashTest seed=" + seed + " rounds=" + rounds + " (replay with -Darca.crash.seed=" + seed + ")");
        Path data = dir.resolve("data");
        Path logs = Path.of("target", "crash-test");
        Files.createDirectories(logs);
        List<Writer> writers = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            writers.add(new Writer());
        }
        SplittableRandom random = new SplittableRandom(seed);
        long started = System.nanoTime();
        for (int round = 1; round <= rounds; round++) {
            long roundStart = System.nanoTime();
            long killAfterMillis = random.nextLong(1000, 4001);
            String tag = "seed " + seed + " round " + round;

            // Load, then SIGKILL.
            RoundResult load;
            try (ChildServer child = ChildServer.start(data, logs.resolve(seed + "-round" + round + "-a.log"))) {
                if (round == 1) {
                    try (S3Client admin = Clients.builder(child.endpoint, true).build()) {
                        admin.createBucket(b -> b.bucket(BUCKET));
                    }
                }
                load = runWritersAndKill(child, writers, seed, round, killAfterMillis);
            }
            assertThat(load.errors).as("%s: requests that failed before the kill", tag).isEmpty();

            // Restart on the same directory and check what the clients were promised.
            Path restartLog = logs.resolve(seed + "-round" + round + "-b.log");
            try (ChildServer child = ChildServer.start(data, restartLog)) {
                System.out.println("CrashTest " + tag + ": killed after " + killAfterMillis + " ms; " + load.acked
                        + " PUTs acknowledged, " + load.inDoubt + " in flight; restart: " + child.recoveryLine);
                try (S3Client client = Clients.builder(child.endpoint, true).build()) {
                    verify(client, writers, seed, tag);
                    abortLeftoverUploads(client, load.multipartInDoubt, tag);
                }
                child.stopGracefully(tag);
            }

            // No unreferenced file after the start-up sweep, seen with the server's own classes.
            checkDataDirectory(data, tag);
            System.out.printf("CrashTest %s done in %.1f s%n", tag, (System.nanoTime() - roundStart) / 1e9);
        }
        System.out.printf("CrashTest: %d rounds, %d keys, %.1f s%n", rounds,
                writers.stream().mapToInt(w -> w.keys.size()).sum(), (System.nanoTime() - started) / 1e9);
    }

    record RoundResult(int acked, int inDoubt, Set<String> multipartInDoubt, List<String> errors) {}

    private static RoundResult runWritersAndKill(ChildServer child, List<Writer> writers, long seed, int round, long killAfterMillis)
            throws InterruptedException {
        AtomicBoolean killed = new AtomicBoolean();
        Queue<String> errors = new ConcurrentLinkedQueue<>();
        int[] ackedCounts = new int[writers.size()];
        List<Thread> threads = new ArrayList<>();
        List<S3Client> clients = new ArrayList<>();
        for (int w = 0; w < writers.size(); w++) {
            // No retries: a retried PUT would blur which attempt was in flight at the kill.
            S3Client client = Clients.builder(child.endpoint, true)
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(60)))
                    .build();
            clients.add(client);
            int writerIndex = w;
            Writer writer = writers.get(w);
            SplittableRandom r = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (round * 64L + w + 1)));
            threads.add(Thread.ofPlatform().name("crash-writer-" + w).start(() -> {
                while (!killed.get()) {
                    Version v = nextVersion(writer, writerIndex, r);
                    KeyState state = writer.keys.get(v.key());
                    state.inDoubt = v;
                    try {
                        String problem = put(client, v, content(seed, v));
                        if (problem != null) {
                            errors.add(problem);
                        }
                    } catch (RuntimeException e) { // SdkException mostly; anything else before the kill is a failure too
                        if (!killed.get()) {
                            errors.add(v + ": " + e);
                        }
                        return;
                    }
                    state.acked = v;
                    state.inDoubt = null;
                    ackedCounts[writerIndex]++;
                }
            }));
        }
        Thread.sleep(killAfterMillis);
        killed.set(true);
        child.kill();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(90));
            assertThat(t.isAlive()).as("%s still running 90 s after the kill", t.getName()).isFalse();
        }
        clients.forEach(S3Client::close);
        int inDoubt = 0;
        Set<String> multipartInDoubt = new HashSet<>();
        for (Writer w : writers) {
            for (KeyState s : w.keys.values()) {
                if (s.inDoubt != null) {
                    inDoubt++;
                    if (s.inDoubt.parts() > 0) {
                        multipartInDoubt.add(s.inDoubt.key());
                    }
                }
            }
        }
        return new RoundResult(Arrays.stream(ackedCounts).sum(), inDoubt, multipartInDoubt, List.copyOf(errors));
    }

    /** The next version a writer sends: a new key, or (a quarter of the time) an overwrite of one of its own. */
    private static Version nextVersion(Writer writer, int writerIndex, SplittableRandom r) {
        String key;
        if (!writer.names.isEmpty() && r.nextInt(4) == 0) {
            key = writer.names.get(r.nextInt(writer.names.size()));
        } else {
            int i = writer.names.size();
            // Some names with spaces and non-ASCII characters, and nesting, for the listing.
            key = "w" + writerIndex + "/" + (i % 3) + "/k" + i + (i % 7 == 3 ? " ü é.bin" : ".bin");
            writer.names.add(key);
            writer.keys.put(key, new KeyState());
        }
        KeyState state = writer.keys.get(key);
        int n = state.nextN++;
        int kind = r.nextInt(100);
        if (kind < 50) {
            return new Version(key, n, r.nextInt(INLINE_LIMIT), 0);
        }
        if (kind < 92) {
            return new Version(key, n, r.nextInt(MIB, 4 * MIB + 1), 0);
        }
        int parts = 2 + r.nextInt(2);
        return new Version(key, n, (parts - 1) * PART_SIZE + r.nextInt(1, PART_SIZE + 1), parts);
    }

    /** Sends one version; returns a description of a wrong acknowledgement, or null. */
    private static String put(S3Client client, Version v, byte[] bytes) {
        String etag;
        String checksum;
        if (v.parts() == 0) {
            PutObjectResponse r = client.putObject(b -> b.bucket(BUCKET).key(v.key()), RequestBody.fromBytes(bytes));
            etag = r.eTag();
            checksum = r.checksumCRC32();
        } else {
            String uploadId = client.createMultipartUpload(b -> b.bucket(BUCKET).key(v.key())
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32)).uploadId();
            List<CompletedPart> parts = new ArrayList<>();
            for (int p = 0; p < v.parts(); p++) {
                int partNumber = p + 1;
                byte[] part = Arrays.copyOfRange(bytes, p * PART_SIZE, Math.min(bytes.length, (p + 1) * PART_SIZE));
                UploadPartResponse r = client.uploadPart(b -> b.bucket(BUCKET).key(v.key()).uploadId(uploadId)
                        .partNumber(partNumber).checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(part));
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(r.eTag()).checksumCRC32(r.checksumCRC32()).build());
            }
            CompleteMultipartUploadResponse r = client.completeMultipartUpload(b -> b.bucket(BUCKET).key(v.key())
                    .uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
            etag = r.eTag();
            checksum = r.checksumCRC32();
        }
        Expected e = expected(v, bytes);
        if (!e.etag.equals(unquote(etag)) || !e.checksum.equals(checksum)) {
            return v + " acknowledged with ETag " + etag + " and CRC32 " + checksum + ", expected " + e;
        }
        return null;
    }

    /**
     * After the restart: every acknowledged version reads back exactly; an in-doubt key holds its
     * acknowledged version or the in-flight one, never anything else; the listing shows nothing
     * else. Resolves the in-doubt keys in the model.
     */
    private static void verify(S3Client client, List<Writer> writers, long seed, String tag) {
        Map<String, S3Object> listed = new HashMap<>();
        for (S3Object o : client.listObjectsV2Paginator(b -> b.bucket(BUCKET).maxKeys(250)).contents()) {
            assertThat(listed.put(o.key(), o)).as("%s: key %s listed twice", tag, o.key()).isNull();
        }
        for (Writer w : writers) {
            for (var it = w.keys.entrySet().iterator(); it.hasNext(); ) {
                var entry = it.next();
                String key = entry.getKey();
                KeyState s = entry.getValue();
                S3Object o = listed.remove(key);
                if (o == null) {
                    assertThat(s.acked).as("%s: acknowledged key '%s' is missing from the listing", tag, key).isNull();
                    // A first PUT that never got acknowledged: the key does not exist, forget it.
                    it.remove();
                    w.names.remove(key);
                    continue;
                }
                byte[] got = client.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArrayUnsafe();
                Version match = null;
                for (Version candidate : Stream.of(s.acked, s.inDoubt).filter(v -> v != null).toList()) {
                    if (candidate.size() == got.length && Arrays.equals(content(seed, candidate), got)) {
                        match = candidate;
                    }
                }
                if (match == null || (s.inDoubt == null && match != s.acked)) {
                    fail("%s: key '%s' reads back %d bytes (md5 %s) which is neither the acknowledged %s nor the in-flight %s",
                            tag, key, got.length, HEX.formatHex(md5(got)), s.acked, s.inDoubt);
                }
                Expected e = expected(match, got);
                assertThat(o.size()).as("%s: listed size of '%s'", tag, key).isEqualTo(match.size());
                assertThat(unquote(o.eTag())).as("%s: listed ETag of '%s'", tag, key).isEqualTo(e.etag);
                HeadObjectResponse head = client.headObject(b -> b.bucket(BUCKET).key(key).checksumMode(ChecksumMode.ENABLED));
                assertThat(head.contentLength()).as("%s: HEAD length of '%s'", tag, key).isEqualTo(match.size());
                assertThat(unquote(head.eTag())).as("%s: HEAD ETag of '%s'", tag, key).isEqualTo(e.etag);
                assertThat(head.checksumCRC32()).as("%s: HEAD CRC32 of '%s' (%s)", tag, key, match).isEqualTo(e.checksum);
                s.acked = match;
                s.inDoubt = null;
            }
        }
        assertThat(listed.keySet()).as("%s: listed keys that no client wrote", tag).isEmpty();
    }

    /** Uploads interrupted by the kill may remain; only in-flight multipart writes may have left one. Abort them. */
    private static void abortLeftoverUploads(S3Client client, Set<String> multipartInDoubt, String tag) {
        List<MultipartUpload> uploads = new ArrayList<>();
        client.listMultipartUploadsPaginator(b -> b.bucket(BUCKET)).uploads().forEach(uploads::add);
        for (MultipartUpload u : uploads) {
            assertThat(multipartInDoubt)
                    .as("%s: upload %s of '%s' is left over, but no multipart upload of that key was in flight", tag, u.uploadId(), u.key())
                    .contains(u.key());
            client.abortMultipartUpload(b -> b.bucket(BUCKET).key(u.key()).uploadId(u.uploadId()));
        }
        assertThat(client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).as("%s: uploads after aborting", tag).isEmpty();
    }

    /**
     * Opens the stopped server's data directory with the classes the server wires (see
     * ArcaServer.start): the restart's start-up sweep must have left no unreferenced blob and no
     * temporary file; a second recovery must find nothing to do.
     */
    private static void checkDataDirectory(Path data, String tag) throws IOException {
        List<Path> drives = new ArrayList<>();
        for (int i = 1; i <= DRIVES; i++) {
            drives.add(data.resolve("drive-" + i));
            assertThat(listDir(drives.getLast().resolve("tmp"))).as("%s: drive-%d/tmp after restart and clean stop", tag, i).isEmpty();
        }
        ErasureBlobStore blobs = ErasureBlobStore.open(drives, ErasureBlobStore.Geometry.defaultFor(DRIVES, Limits.BLOB_BLOCK_BYTES),
                ErasureCoders::create, Entropy.secure());
        try (dev.arca.crypto.BuiltinKeyService keys = dev.arca.crypto.BuiltinKeyService.open(data, null, Entropy.secure(),
                        InstantSource.system());
                KvMetadataStore meta = new KvMetadataStore(dev.arca.meta.kv.SealedKv.open(
                        RocksKv.open(data.resolve("meta"), RocksKv.Options.defaults()), keys.metadataCipher()), true)) {
            InstantSource clock = InstantSource.system();
            try (ObjectLayer layer = new ObjectLayer(meta, blobs, clock, new Ids(clock, Entropy.secure()), ArcaTestServer.REGION,
                    keys, Entropy.secure(), true)) {
                ObjectLayer.Consistency before = layer.checkConsistency();
                assertThat(before.unreferencedBlobs()).as("%s: unreferenced blobs after the start-up sweep", tag).isEmpty();
                assertThat(before.missingBlobs()).as("%s: referenced blobs missing from disk", tag).isEmpty();
                ObjectLayer.RecoveryReport report = layer.recover();
                assertThat(report.temporaryFiles()).as("%s: temporary files found by a second recovery", tag).isZero();
                assertThat(report.abandonedBlobs()).as("%s: unfinished writes found by a second recovery", tag).isZero();
                ObjectLayer.Consistency after = layer.checkConsistency();
                assertThat(after.unreferencedBlobs()).as("%s: unreferenced blobs after recovery", tag).isEmpty();
                assertThat(after.missingBlobs()).as("%s: missing blobs after recovery", tag).isEmpty();
                assertThat(meta.intents(100)).as("%s: write intents after recovery", tag).isEmpty();
                assertThat(meta.garbage(100)).as("%s: garbage after recovery", tag).isEmpty();
                for (Path drive : drives) {
                    assertThat(listDir(drive.resolve("tmp"))).as("%s: %s/tmp after recovery", tag, drive.getFileName()).isEmpty();
                }
                // Shards are published before the metadata commit: every blob that survived has all its shards, intact.
                blobs.forEachBlob(id -> assertThat(blobs.heal(id, true).outcome()).as("%s: blob %s after the crash", tag, id)
                        .isEqualTo(HealReport.Outcome.HEALTHY));
            }
        } finally {
            blobs.close();
        }
    }

    private static List<String> listDir(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    // ---- content and what the server must report for it ----

    static byte[] content(long seed, Version v) {
        byte[] bytes = new byte[v.size()];
        new SplittableRandom(seed ^ (v.key().hashCode() * 0xC2B2AE3D27D4EB4FL) ^ (v.n() * 0x9E3779B97F4A7C15L + 1)).nextBytes(bytes);
        return bytes;
    }

    record Expected(String etag, String checksum) {}

    /** S3's ETag and CRC32 for the version: plain MD5 and CRC32, or their multipart (composite) forms. */
    static Expected expected(Version v, byte[] bytes) {
        if (v.parts() == 0) {
            return new Expected(HEX.formatHex(md5(bytes)), Base64.getEncoder().encodeToString(crc32(bytes, 0, bytes.length)));
        }
        ByteBuffer md5s = ByteBuffer.allocate(16 * v.parts());
        ByteBuffer crcs = ByteBuffer.allocate(4 * v.parts());
        for (int p = 0; p < v.parts(); p++) {
            int from = p * PART_SIZE;
            int to = Math.min(bytes.length, from + PART_SIZE);
            md5s.put(md5(Arrays.copyOfRange(bytes, from, to)));
            crcs.put(crc32(bytes, from, to - from));
        }
        return new Expected(HEX.formatHex(md5(md5s.array())) + "-" + v.parts(),
                Base64.getEncoder().encodeToString(crc32(crcs.array(), 0, crcs.capacity())) + "-" + v.parts());
    }

    private static byte[] md5(byte[] bytes) {
        try {
            return MessageDigest.getInstance("MD5").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] crc32(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
    }

    private static String unquote(String etag) {
        return etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
    }

    // ---- the child server ----
}
