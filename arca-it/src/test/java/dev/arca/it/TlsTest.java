package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * HTTPS on the S3 endpoint with the real SDK v2: the self-signed certificate generated under
 * {@code <data>/tls/} and trusted by the client (no trust-all), TLS 1.3 and 1.2 negotiated, TLS 1.1
 * and plain HTTP refused on the TLS port, {@code http off} leaving no plain listener, and
 * {@code aws:SecureTransport} in bucket policies telling the two listeners apart.
 */
class TlsTest {
    @TempDir
    static Path dir;

    /** TLS only ({@code --http off}); nothing listens on {@link #closedPlainPort}. */
    static ArcaTestServer tlsOnly;
    static int closedPlainPort;
    /** Plain HTTP and TLS side by side. */
    static ArcaTestServer both;
    static SSLContext trustingTlsOnly;
    static final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        closedPlainPort = freePort();
        tlsOnly = ArcaTestServer.start(dir.resolve("tls-only"), "--address", "127.0.0.1:" + closedPlainPort, "--http", "off",
                "--tls-port", "0");
        both = ArcaTestServer.start(dir.resolve("both"), "--tls-port", "0");
        trustingTlsOnly = trusting(tlsOnly.dataDir().resolve("tls/cert.pem"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        for (ArcaTestServer s : new ArcaTestServer[] {tlsOnly, both}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void theServerUsesBoringSslAndTheGeneratedCertificate() throws Exception {
        var tls = tlsOnly.server().tls().orElseThrow();
        assertThat(tls.openSsl()).as(tls.providerDescription()).isTrue();
        assertThat(tls.providerDescription()).startsWith("OpenSSL (BoringSSL");
        assertThat(tlsOnly.server().tlsCertificateFile()).isEqualTo(tlsOnly.dataDir().resolve("tls/cert.pem").toAbsolutePath());
        assertThat(tls.certificateChain().getFirst()).isEqualTo(readCertificate(tlsOnly.dataDir().resolve("tls/cert.pem")));
        assertThat(tlsOnly.server().endpoint()).isEqualTo(tlsOnly.server().tlsEndpoint().orElseThrow()).startsWith("https://127.0.0.1:");
    }

    @Test
    void theSdkWorksOverHttpsTrustingTheGeneratedCertificate() {
        S3Client s3 = track(https(tlsOnly, tlsOnly.dataDir().resolve("tls/cert.pem")));
        s3.createBucket(r -> r.bucket("tls-data"));
        Tenancy.put(s3, "tls-data", "small.txt", "over TLS");
        assertThat(Tenancy.get(s3, "tls-data", "small.txt")).isEqualTo("over TLS");

        byte[] big = new byte[3 << 20];
        new Random(7).nextBytes(big);
        s3.putObject(r -> r.bucket("tls-data").key("big.bin"), RequestBody.fromBytes(big));
        assertThat(s3.getObjectAsBytes(r -> r.bucket("tls-data").key("big.bin")).asByteArray()).isEqualTo(big);

        byte[] part1 = Arrays.copyOf(big, 5 << 20);
        byte[] part2 = Arrays.copyOfRange(big, 0, 1 << 20);
        String upload = s3.createMultipartUpload(r -> r.bucket("tls-data").key("multi.bin")).uploadId();
        String etag1 = s3.uploadPart(r -> r.bucket("tls-data").key("multi.bin").uploadId(upload).partNumber(1),
                RequestBody.fromBytes(part1)).eTag();
        String etag2 = s3.uploadPart(r -> r.bucket("tls-data").key("multi.bin").uploadId(upload).partNumber(2),
                RequestBody.fromBytes(part2)).eTag();
        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(r -> r.bucket("tls-data").key("multi.bin").uploadId(upload)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag1).build(),
                        CompletedPart.builder().partNumber(2).eTag(etag2).build())));
        assertThat(done.location()).as("the Location names the scheme the request came in with").startsWith("https://");
        byte[] whole = new byte[part1.length + part2.length];
        System.arraycopy(part1, 0, whole, 0, part1.length);
        System.arraycopy(part2, 0, whole, part1.length, part2.length);
        assertThat(s3.getObjectAsBytes(r -> r.bucket("tls-data").key("multi.bin")).asByteArray()).isEqualTo(whole);
    }

    @Test
    void anSdkThatDoesNotTrustTheCertificateIsRefused() {
        S3Client untrusting = track(S3Client.builder()
                .endpointOverride(URI.create(tlsOnly.server().tlsEndpoint().orElseThrow()))
                .region(Region.of(ArcaTestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ArcaTestServer.ACCESS_KEY, ArcaTestServer.SECRET_KEY)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .httpClientBuilder(Apache5HttpClient.builder())
                .build());
        assertThatThrownBy(untrusting::listBuckets).isInstanceOf(SdkClientException.class)
                .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
    }

    @Test
    void tls13IsNegotiatedAndTls12WorksButTls11IsRefused() throws Exception {
        InetSocketAddress tls = tlsOnly.server().tlsAddress().orElseThrow();
        try (SSLSocket s = handshake(tls, "TLSv1.3", "TLSv1.2")) {
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(s.getSession().getCipherSuite()).isIn("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                    "TLS_CHACHA20_POLY1305_SHA256");
            assertThat(health(s)).startsWith("HTTP/1.1 200");
        }
        try (SSLSocket s = handshake(tls, "TLSv1.2")) {
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(s.getSession().getCipherSuite()).startsWith("TLS_ECDHE_").containsAnyOf("_GCM_", "_CHACHA20_");
            assertThat(health(s)).startsWith("HTTP/1.1 200");
        }
        assertThat(legacyHandshakeAnswer(tls, 0x0302)).as("a TLS 1.1 ClientHello").isIn("alert", "closed");
        assertThat(legacyHandshakeAnswer(tls, 0x0301)).as("a TLS 1.0 ClientHello").isIn("alert", "closed");
        assertThat(legacyHandshakeAnswer(tls, 0x0303)).as("the same probe offering TLS 1.2").isEqualTo("server hello");
    }

    @Test
    void plainHttpGetsNoAnswerOnTheTlsPortAndNothingListensOnThePlainPort() throws Exception {
        InetSocketAddress tls = tlsOnly.server().tlsAddress().orElseThrow();
        assertThat(tlsOnly.server().address()).isEqualTo(tls);
        try (Socket s = new Socket(tls.getAddress(), tls.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(readAll(s.getInputStream()), StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1");
        }
        S3Client plainToTlsPort = track(Clients.builder("http://127.0.0.1:" + tls.getPort(), true)
                .overrideConfiguration(o -> o.retryStrategy(software.amazon.awssdk.retries.DefaultRetryStrategy.doNotRetry()))
                .build());
        assertThatThrownBy(plainToTlsPort::listBuckets).isInstanceOf(SdkClientException.class);

        assertThatThrownBy(() -> new Socket("127.0.0.1", closedPlainPort).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void secureTransportInABucketPolicyTellsTheListenersApart() {
        InetSocketAddress tls = both.server().tlsAddress().orElseThrow();
        assertThat(both.server().endpoint()).startsWith("http://");
        assertThat(both.port()).isNotEqualTo(tls.getPort());
        S3Client plain = track(Clients.pathStyle(both));
        S3Client secure = track(https(both, both.dataDir().resolve("tls/cert.pem")));
        plain.createBucket(r -> r.bucket("tls-required"));
        Tenancy.put(plain, "tls-required", "data.txt", "data");

        String deny = "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::tls-required\","
                + "\"arn:aws:s3:::tls-required/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}";
        secure.putBucketPolicy(r -> r.bucket("tls-required").policy(Tenancy.policy(deny)));

        Tenancy.assertAwsError(() -> Tenancy.get(plain, "tls-required", "data.txt"), 403, "AccessDenied");
        Tenancy.assertAwsError(() -> Tenancy.put(plain, "tls-required", "plain.txt", "no"), 403, "AccessDenied");
        assertThat(Tenancy.get(secure, "tls-required", "data.txt")).isEqualTo("data");
        Tenancy.put(secure, "tls-required", "secure.txt", "yes");
        assertThat(Tenancy.get(secure, "tls-required", "secure.txt")).isEqualTo("yes");

        // The opposite condition: only plain HTTP is denied nothing, TLS is denied reads.
        String denyTls = deny.replace("\"false\"", "\"true\"").replace("s3:*", "s3:GetObject");
        secure.putBucketPolicy(r -> r.bucket("tls-required").policy(Tenancy.policy(denyTls)));
        Tenancy.assertAwsError(() -> Tenancy.get(secure, "tls-required", "data.txt"), 403, "AccessDenied");
        assertThat(Tenancy.get(plain, "tls-required", "data.txt")).isEqualTo("data");
        plain.deleteBucketPolicy(r -> r.bucket("tls-required"));
    }

    // ---------------------------------------------------------------- helpers

    static <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    /** A path-style SDK client over HTTPS that trusts exactly the certificate in {@code certPem}. */
    static S3Client https(ArcaTestServer server, Path certPem) {
        TrustManagerFactory tmf = trustManagers(certPem);
        return S3Client.builder()
                .endpointOverride(URI.create(server.server().tlsEndpoint().orElseThrow()))
                .region(Region.of(ArcaTestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ArcaTestServer.ACCESS_KEY, ArcaTestServer.SECRET_KEY)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .httpClientBuilder(Apache5HttpClient.builder()
                        .socketTimeout(Duration.ofSeconds(120))
                        .tlsTrustManagersProvider(tmf::getTrustManagers))
                .build();
    }

    static X509Certificate readCertificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static TrustManagerFactory trustManagers(Path certPem) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("arca", readCertificate(certPem));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return tmf;
        } catch (Exception e) {
            throw new AssertionError("cannot build a trust manager from " + certPem, e);
        }
    }

    static SSLContext trusting(Path certPem) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers(certPem).getTrustManagers(), null);
        return context;
    }

    /** A completed handshake offering {@code protocols}, with host-name verification against 127.0.0.1. */
    static SSLSocket handshake(InetSocketAddress address, String... protocols) throws IOException {
        SSLSocket s = (SSLSocket) trustingTlsOnly.getSocketFactory().createSocket("127.0.0.1", address.getPort());
        s.setSoTimeout(10_000);
        s.setEnabledProtocols(protocols);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        try {
            s.startHandshake();
        } catch (SSLHandshakeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private static String health(Socket s) throws IOException {
        s.getOutputStream().write("GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        return new String(readAll(s.getInputStream()), StandardCharsets.ISO_8859_1);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (SocketException reset) {
            return new byte[0];
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Sends a hand-made ClientHello offering only {@code version} (0x0301 TLS 1.0, 0x0302 TLS 1.1,
     * 0x0303 TLS 1.2; no supported_versions extension, so no TLS 1.3) and says what came back:
     * "server hello", "alert" or "closed". (The JDK's client cannot offer TLS 1.1 any more.)
     */
    static String legacyHandshakeAnswer(InetSocketAddress address, int version) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        u16(body, version);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        body.writeBytes(random);
        body.write(0); // no session id
        int[] suites = {0xc02b, 0xc02f, 0xc009, 0xc013, 0xc00a, 0xc014, 0x002f, 0x0035};
        u16(body, suites.length * 2);
        for (int suite : suites) {
            u16(body, suite);
        }
        body.write(1);
        body.write(0); // compression: null only
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        u16(ext, 0x000a); // supported_groups: x25519, secp256r1
        u16(ext, 6);
        u16(ext, 4);
        u16(ext, 0x001d);
        u16(ext, 0x0017);
        u16(ext, 0x000b); // ec_point_formats: uncompressed
        u16(ext, 2);
        ext.write(1);
        ext.write(0);
        u16(ext, 0x000d); // signature_algorithms: ecdsa_secp256r1_sha256, rsa_pkcs1_sha256, ecdsa_sha1
        u16(ext, 8);
        u16(ext, 6);
        u16(ext, 0x0403);
        u16(ext, 0x0401);
        u16(ext, 0x0203);
        u16(body, ext.size());
        body.writeBytes(ext.toByteArray());
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(0x16); // handshake
        u16(record, 0x0301);
        u16(record, body.size() + 4);
        record.write(0x01); // ClientHello
        record.write(0);
        u16(record, body.size());
        record.writeBytes(body.toByteArray());
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(record.toByteArray());
            int type = s.getInputStream().read();
            return switch (type) {
                case 0x16 -> "server hello";
                case 0x15 -> "alert";
                case -1 -> "closed";
                default -> "record type " + type;
            };
        } catch (SocketException reset) {
            return "closed";
        }
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write((v >> 8) & 0xff);
        out.write(v & 0xff);
    }
}
