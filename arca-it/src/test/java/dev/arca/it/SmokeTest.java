package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The SDK's defaults work end to end, in both addressing styles. */
class SmokeTest {
    @TempDir
    static Path dir;
    static ArcaTestServer server;

    @BeforeAll
    static void start() {
        server = ArcaTestServer.start(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void healthProbesAnswerWithoutCredentials() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        for (String probe : new String[] {"/health/live", "/health/ready"}) {
            var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.endpoint() + probe)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(probe).isEqualTo(200);
            assertThat(response.body()).isEqualTo("ok\n");
        }
        // Anything else unauthenticated is denied.
        var denied = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.endpoint() + "/")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).contains("<Code>AccessDenied</Code>");
    }

    @Test
    void putAndGetWithDefaultChecksumsInBothAddressingStyles() {
        try (S3Client path = Clients.pathStyle(server); S3Client vhost = Clients.virtualHost(server)) {
            path.createBucket(b -> b.bucket("smoke"));
            path.putObject(b -> b.bucket("smoke").key("a/b c.txt"), RequestBody.fromString("hello"));
            assertThat(vhost.getObjectAsBytes(b -> b.bucket("smoke").key("a/b c.txt")).asUtf8String()).isEqualTo("hello");
            vhost.putObject(b -> b.bucket("smoke").key("v"), RequestBody.fromBytes(new byte[300_000]));
            assertThat(path.headObject(b -> b.bucket("smoke").key("v")).contentLength()).isEqualTo(300_000);
            assertThat(path.listObjectsV2(b -> b.bucket("smoke")).contents()).hasSize(2);
        }
    }
}
