package dev.arca.it;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * Real AWS SDK for Java v2 clients for a test server, with the SDK's default checksum behaviour
 * (CRC32 in a trailer on uploads, checksum validation on downloads).
 */
public final class Clients {
    /** Resolves every host name (bucket.s3.arca.test included) to loopback. */
    private static final org.apache.hc.client5.http.DnsResolver LOOPBACK = new org.apache.hc.client5.http.DnsResolver() {
        @Override
        public InetAddress[] resolve(String host) {
            return new InetAddress[] {InetAddress.getLoopbackAddress()};
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host;
        }
    };

    private Clients() {}

    /** Path-style client ({@code http://127.0.0.1:PORT/bucket/key}). */
    public static S3Client pathStyle(ArcaTestServer server) {
        return builder(server.endpoint(), true).build();
    }

    /** Virtual-hosted-style client ({@code http://bucket.s3.arca.test:PORT/key}); every name resolves to loopback. */
    public static S3Client virtualHost(ArcaTestServer server) {
        return builder(server.virtualHostEndpoint(), false).build();
    }

    public static software.amazon.awssdk.services.s3.S3ClientBuilder builder(String endpoint, boolean pathStyle) {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.of(ArcaTestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ArcaTestServer.ACCESS_KEY, ArcaTestServer.SECRET_KEY)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build())
                .httpClientBuilder(Apache5HttpClient.builder()
                        .maxConnections(64)
                        .socketTimeout(Duration.ofSeconds(120))
                        .dnsResolver(LOOPBACK));
    }
}
