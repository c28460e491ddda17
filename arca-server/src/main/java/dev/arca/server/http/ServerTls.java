package dev.arca.server.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.ReferenceCountUtil;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * TLS for a listener: the server's key and certificate chain in an {@link SslContext} that offers
 * TLS 1.3 and TLS 1.2 only (1.2 with ECDHE and AES-GCM or ChaCha20-Poly1305 only), over
 * BoringSSL (netty-tcnative) when it loads, else the JDK's {@code SSLEngine}. HTTP/1.1 only: no ALPN.
 */
public final class ServerTls {
    private static final System.Logger LOG = System.getLogger(ServerTls.class.getName());

    /** Which TLS implementation to use. */
    public enum Provider {
        /** BoringSSL when it loads, else the JDK. */
        AUTO,
        /** BoringSSL (netty-tcnative); fails to start without it. */
        OPENSSL,
        /** The JDK's SSLEngine. */
        JDK;

        /** auto, openssl or jdk (any case). */
        public static Provider parse(String name) {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        }
    }

    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /**
     * In order of preference. TLS 1.3 suites (BoringSSL always offers all three, its own order);
     * TLS 1.2: forward secrecy and AEAD only. AES-128 first: the cheapest on CPUs with AES-NI.
     */
    public static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final int port;
    private final List<X509Certificate> chain;
    private final SslContext context;
    private final boolean openSsl;
    private final String description;

    private ServerTls(int port, List<X509Certificate> chain, SslContext context, boolean openSsl, String description) {
        this.port = port;
        this.chain = List.copyOf(chain);
        this.context = context;
        this.openSsl = openSsl;
        this.description = description;
    }

    /**
     * A TLS listener on {@code port} (0 picks a free one) serving {@code chain} (leaf first) with {@code key}.
     *
     * @throws IllegalStateException when {@code provider} is OPENSSL and BoringSSL does not load,
     *     or the key and chain are refused
     */
    public static ServerTls create(int port, PrivateKey key, List<X509Certificate> chain, Provider provider) {
        Objects.requireNonNull(key, "key");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        boolean useOpenSsl = switch (provider) {
            case JDK -> false;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalStateException("tls-provider openssl: BoringSSL (netty-tcnative) does not load here: "
                            + OpenSsl.unavailabilityCause(), OpenSsl.unavailabilityCause());
                }
                yield true;
            }
            case AUTO -> {
                if (!OpenSsl.isAvailable()) {
                    LOG.log(System.Logger.Level.WARNING, "BoringSSL (netty-tcnative) does not load ({0}); TLS uses the JDK SSLEngine",
                            String.valueOf(OpenSsl.unavailabilityCause()));
                }
                yield OpenSsl.isAvailable();
            }
        };
        SslContext context;
        try {
            context = SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))
                    .sslProvider(useOpenSsl ? SslProvider.OPENSSL : SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .clientAuth(ClientAuth.NONE)
                    .build();
        } catch (SSLException | RuntimeException e) {
            throw new IllegalStateException("cannot set up TLS with this key and certificate: " + e.getMessage(), e);
        }
        boolean engineIsOpenSsl = engineIsOpenSsl(context);
        String description = engineIsOpenSsl ? "OpenSSL (" + OpenSsl.versionString() + ", netty-tcnative)" : "JDK SSLEngine ("
                + Runtime.version() + ")";
        LOG.log(System.Logger.Level.INFO, "TLS provider: {0}", description);
        return new ServerTls(port, chain, context, engineIsOpenSsl, description);
    }

    /** Whether the engines this context makes are BoringSSL's (checked on a real engine, not on the request). */
    private static boolean engineIsOpenSsl(SslContext context) {
        SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT);
        try {
            return engine instanceof ReferenceCountedOpenSslEngine;
        } finally {
            ReferenceCountUtil.release(engine);
        }
    }

    /** The port asked for (0: any); see {@link NettyHttpServer#tlsAddress()} for the one bound. */
    public int port() {
        return port;
    }

    /** The certificate chain served, leaf first. */
    public List<X509Certificate> certificateChain() {
        return chain;
    }

    /** Whether connections use BoringSSL (true) or the JDK's SSLEngine (false). */
    public boolean openSsl() {
        return openSsl;
    }

    /** The provider in words, e.g. "OpenSSL (BoringSSL, netty-tcnative)" or "JDK SSLEngine (25+36)". */
    public String providerDescription() {
        return description;
    }

    /** The protocols offered, newest first. */
    public List<String> protocols() {
        return PROTOCOLS;
    }

    /** The cipher suites actually enabled (those of {@link #CIPHERS} the provider supports). */
    public List<String> cipherSuites() {
        return context.cipherSuites();
    }

    SslHandler newHandler(ByteBufAllocator alloc) {
        return context.newHandler(alloc);
    }

    @Override
    public String toString() {
        return "ServerTls[" + description + ", port " + port + "]";
    }
}
