package dev.arca.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpHandler;
import dev.arca.s3.http.HttpResponse;
import dev.arca.server.tls.TlsIdentity;
import io.netty.handler.ssl.OpenSsl;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TLS listeners of the transport, with both providers: protocols, the secure flag, bodies through TLS. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ServerTlsTest {
    static {
        LeakTracker.install();
    }

    @TempDir
    static Path dir;

    static TlsIdentity identity;
    static SSLContext trusting;

    private NettyHttpServer server;

    @BeforeAll
    static void identity() throws Exception {
        identity = TlsIdentity.selfSigned(dir.resolve("tls"), "127.0.0.1", Instant.now(), new SecureRandom());
        trusting = trusting(identity.leaf());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @AfterAll
    static void noBufferLeaked() throws InterruptedException {
        assertThat(LeakTracker.collectLeaks()).as("Netty buffer leaks").isEmpty();
    }

    // ---- provider ----

    @Test
    void boringSslLoadsHereAndAutoUsesIt() {
        assertThat(OpenSsl.isAvailable()).as("netty-tcnative: %s", OpenSsl.unavailabilityCause()).isTrue();
        ServerTls auto = ServerTls.create(0, identity.key(), identity.chain(), ServerTls.Provider.AUTO);
        assertThat(auto.openSsl()).isTrue();
        assertThat(auto.providerDescription()).startsWith("OpenSSL (BoringSSL");
        ServerTls jdk = ServerTls.create(0, identity.key(), identity.chain(), ServerTls.Provider.JDK);
        assertThat(jdk.openSsl()).isFalse();
        assertThat(jdk.providerDescription()).startsWith("JDK SSLEngine");
        for (ServerTls tls : List.of(auto, jdk)) {
            assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
            assertThat(tls.cipherSuites()).contains("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
                    .allMatch(ServerTls.CIPHERS::contains);
            assertThat(tls.certificateChain()).containsExactly(identity.leaf());
        }
        assertThat(ServerTls.Provider.parse(" OpenSSL ")).isEqualTo(ServerTls.Provider.OPENSSL);
    }

    // ---- listeners ----

    @ParameterizedTest
    @EnumSource(value = ServerTls.Provider.class, names = {"OPENSSL", "JDK"})
    void bothListenersServeTheSameHandlerAndTellWhichOneARequestCameThrough(ServerTls.Provider provider) throws Exception {
        start(true, provider, exchange -> text("secure=" + exchange.secure()));
        InetSocketAddress plain = server.plainAddress().orElseThrow();
        InetSocketAddress tls = server.tlsAddress().orElseThrow();
        assertThat(plain.getPort()).isNotEqualTo(tls.getPort());
        assertThat(server.address()).isEqualTo(plain);
        assertThat(server.tls().orElseThrow().openSsl()).isEqualTo(provider == ServerTls.Provider.OPENSSL);

        try (SSLSocket s = tlsSocket(tls, "TLSv1.3", "TLSv1.2")) {
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(request(s, "GET /x HTTP/1.1\r\nHost: arca\r\n\r\n")).endsWith("secure=true");
            // Keep-alive works through TLS.
            assertThat(request(s, "GET /y HTTP/1.1\r\nHost: arca\r\n\r\n")).endsWith("secure=true");
        }
        try (SSLSocket s = tlsSocket(tls, "TLSv1.2")) {
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(s.getSession().getCipherSuite()).isIn(ServerTls.CIPHERS).startsWith("TLS_ECDHE_ECDSA_WITH_");
            assertThat(request(s, "GET /x HTTP/1.1\r\nHost: arca\r\n\r\n")).endsWith("secure=true");
        }
        try (Socket s = new Socket(plain.getAddress(), plain.getPort())) {
            assertThat(request(s, "GET /x HTTP/1.1\r\nHost: arca\r\n\r\n")).endsWith("secure=false");
        }
    }

    @ParameterizedTest
    @EnumSource(value = ServerTls.Provider.class, names = {"OPENSSL", "JDK"})
    void tls11AndPlainHttpAreRefusedOnTheTlsPort(ServerTls.Provider provider) throws Exception {
        start(false, provider, exchange -> text("secure=" + exchange.secure()));
        assertThat(server.plainAddress()).isEmpty();
        InetSocketAddress tls = server.tlsAddress().orElseThrow();
        assertThat(server.address()).isEqualTo(tls);

        assertThat(legacyHandshakeAnswer(tls, 0x0302)).as("TLS 1.1").isEqualTo("alert");
        assertThat(legacyHandshakeAnswer(tls, 0x0301)).as("TLS 1.0").isEqualTo("alert");
        assertThat(legacyHandshakeAnswer(tls, 0x0303)).as("TLS 1.2 (the probe itself works)").isEqualTo("server hello");

        try (Socket s = new Socket(tls.getAddress(), tls.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: arca\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] answer = s.getInputStream().readAllBytes();
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1").doesNotContain("secure=");
        } catch (java.net.SocketException reset) {
            // A reset is a refusal too.
        }
        // An untrusting client fails its handshake: the certificate is the generated one, not a public one.
        try (SSLSocket s = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket(tls.getAddress(), tls.getPort())) {
            assertThatThrownBy(s::startHandshake).isInstanceOf(SSLHandshakeException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ServerTls.Provider.class, names = {"OPENSSL", "JDK"})
    void largeBodiesStreamBothWaysThroughTls(ServerTls.Provider provider) throws Exception {
        long size = 24L << 20;
        start(false, provider, exchange -> new HttpResponse(200, new Headers(),
                new HttpResponse.Streamed(exchange.contentLength(), exchange.body())));
        try (SSLSocket s = tlsSocket(server.tlsAddress().orElseThrow(), "TLSv1.3")) {
            OutputStream out = s.getOutputStream();
            out.write(("PUT /echo HTTP/1.1\r\nHost: arca\r\nContent-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            CRC32 sent = new CRC32();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    byte[] piece = new byte[1 << 20];
                    for (long left = size; left > 0; left -= piece.length) {
                        for (int i = 0; i < piece.length; i++) {
                            piece[i] = (byte) (left + i);
                        }
                        sent.update(piece);
                        out.write(piece);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            DataInputStream in = new DataInputStream(s.getInputStream());
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200").contains("content-length: " + size);
            CRC32 received = new CRC32();
            byte[] buf = new byte[1 << 16];
            for (long left = size; left > 0; ) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new EOFException(left + " bytes missing");
                }
                received.update(buf, 0, n);
                left -= n;
            }
            writer.join();
            assertThat(received.getValue()).isEqualTo(sent.getValue());
        }
    }

    // ---- helpers ----

    private void start(boolean plain, ServerTls.Provider provider, HttpHandler handler) {
        ServerTls tls = ServerTls.create(0, identity.key(), identity.chain(), provider);
        server = NettyHttpServer.start(new HttpServerOptions("127.0.0.1", 0, 2, 16, Duration.ofSeconds(30), Duration.ofSeconds(20),
                Duration.ofSeconds(5)), plain, tls, handler, () -> text("overloaded"));
    }

    private static HttpResponse text(String body) {
        return new HttpResponse(200, new Headers(), new HttpResponse.Bytes(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** A context that trusts exactly {@code cert}, with host-name checks. */
    static SSLContext trusting(X509Certificate cert) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("arca", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static SSLSocket tlsSocket(InetSocketAddress address, String... protocols) throws IOException {
        SSLSocket s = (SSLSocket) trusting.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        s.setSoTimeout(20_000);
        s.setEnabledProtocols(protocols);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    /** Sends one request and reads its response (Content-Length framed). */
    private static String request(Socket s, String request) throws IOException {
        s.setSoTimeout(20_000);
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        DataInputStream in = new DataInputStream(s.getInputStream());
        String head = readHead(in);
        int length = Integer.parseInt(head.replaceAll("(?s).*content-length: (\\d+).*", "$1"));
        byte[] body = new byte[length];
        in.readFully(body);
        return head + new String(body, StandardCharsets.UTF_8);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed in the response head: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT).replace("http/1.1", "HTTP/1.1");
    }

    /**
     * Sends a hand-made ClientHello offering only {@code version} (0x0301 TLS 1.0, 0x0302 TLS 1.1,
     * 0x0303 TLS 1.2; no supported_versions extension) and says what came back: "server hello",
     * "alert", or "closed". The JDK client cannot be made to offer TLS 1.1 any more.
     */
    static String legacyHandshakeAnswer(InetSocketAddress address, int version) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(version >> 8);
        body.write(version);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        body.writeBytes(random);
        body.write(0); // session id
        int[] suites = {0xc02b, 0xc02f, 0xc009, 0xc013, 0xc00a, 0xc014, 0x002f, 0x0035};
        u16(body, suites.length * 2);
        for (int suite : suites) {
            u16(body, suite);
        }
        body.write(1);
        body.write(0); // compression: null
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
        record.write(0x16);
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
        } catch (java.net.SocketException reset) {
            return "closed";
        }
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >> 8);
        out.write(v);
    }
}
