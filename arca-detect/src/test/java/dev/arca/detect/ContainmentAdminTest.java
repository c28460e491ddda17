package dev.arca.detect;

import static dev.arca.detect.Fixture.ALICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.audit.AuditRecord;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.s3.AdminExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainmentAdminTest {
    @TempDir
    Path dir;

    private Fixture f;
    private Map<String, AdminExtension> api;

    private void start() {
        f = new Fixture(dir);
        api = new ContainmentAdmin(f.containment, f.detectors, f.audit::add, f.clock).extensions().stream()
                .collect(Collectors.toMap(AdminExtension::name, Function.identity()));
    }

    private String call(String name, String method, Map<String, String> query) {
        return api.get(name).handle(method, query);
    }

    private void assertFails(String name, String method, Map<String, String> query, FailureKind kind, String message) {
        assertThatThrownBy(() -> call(name, method, query)).isInstanceOfSatisfying(StoreException.class, e -> {
            assertThat(e.kind()).isEqualTo(kind);
            assertThat(e.failure().message()).contains(message);
        });
    }

    @Test
    void quarantineByHandListAndRelease() {
        start();
        assertThat(api).containsOnlyKeys("quarantine", "protect", "detect");
        assertThat(call("quarantine", "GET", Map.of())).isEqualTo("{\"quarantined\":[]}");
        assertThat(call("quarantine", "POST", Map.of("principal", ALICE, "reason", "stolen key")))
                .isEqualTo("{\"quarantined\":\"" + ALICE + "\",\"new\":true}");
        assertThat(call("quarantine", "GET", Map.of())).isEqualTo("{\"quarantined\":[{\"principal\":\"" + ALICE
                + "\",\"accessKeyIds\":[],\"rule\":\"manual\",\"reason\":\"stolen key\",\"since\":\"2030-01-01T00:00:00Z\","
                + "\"detection\":null}]}");
        assertThat(call("quarantine", "POST", Map.of("release", ALICE))).contains("\"released\":\"" + ALICE + "\"");
        assertFails("quarantine", "POST", Map.of("release", ALICE), FailureKind.INVALID_REQUEST, "is not quarantined");
        assertFails("quarantine", "POST", Map.of("principal", Containment.SYSTEM_ROOT_ARN), FailureKind.INVALID_REQUEST,
                "never quarantined");
        assertFails("quarantine", "POST", Map.of("principal", "bob"), FailureKind.INVALID_REQUEST, "not an IAM");
        assertFails("quarantine", "POST", Map.of(), FailureKind.INVALID_REQUEST, "?principal=ARN");
        assertFails("quarantine", "DELETE", Map.of(), FailureKind.METHOD_NOT_ALLOWED, "not allowed");
        assertThat(f.records(AuditRecord.KIND_ADMIN)).extracting(r -> r.details().get("action") + " " + r.details().get("target"))
                .containsExactly("quarantine " + ALICE, "release-quarantine " + ALICE);
    }

    @Test
    void protectByHandListAndRelease() {
        start();
        assertThat(call("protect", "POST", Map.of("bucket", "vault"))).isEqualTo("{\"protected\":\"vault\",\"new\":true}");
        assertThat(f.containment.isProtected("vault")).isTrue();
        assertThat(call("protect", "GET", Map.of())).contains("\"bucket\":\"vault\"").contains("\"rule\":\"manual\"");
        assertFails("protect", "POST", Map.of("bucket", "Not_A_Bucket"), FailureKind.INVALID_REQUEST, "invalid bucket name");
        assertThat(call("protect", "POST", Map.of("release", "vault"))).contains("\"released\":\"vault\"");
        assertFails("protect", "POST", Map.of("release", "vault"), FailureKind.INVALID_REQUEST, "is not protected");
        assertThat(f.records(AuditRecord.KIND_ADMIN)).hasSize(2);
    }

    @Test
    void detectShowsSettingsCountersExemptionsAndRecentDetections() {
        start();
        assertThat(call("detect", "POST", Map.of("exempt", ALICE, "until", "2030-01-02T00:00:00Z")))
                .isEqualTo("{\"exempt\":\"" + ALICE + "\",\"until\":\"2030-01-02T00:00:00Z\"}");
        assertThat(f.containment.isExempt(ALICE, f.clock.millis())).isTrue();
        for (int i = 0; i < 25; i++) {
            f.detectors.observe(f.event(Fixture.BOB, "GetObject", "b", "k", "AccessDenied", Map.of()));
        }
        String status = call("detect", "GET", Map.of());
        assertThat(status).startsWith("{\"settings\":{\"mass-delete\":{\"enabled\":true,\"threshold\":100,\"windowMillis\":60000,"
                + "\"bucketThreshold\":500,\"ipThreshold\":0,\"responses\":[\"alert\",\"quarantine\",\"protect\"]}");
        assertThat(status).contains("\"counters\":{\"detections\":{\"mass-delete\":0,").contains("\"access-denied\":2")
                .contains("\"exempt\":[{\"principal\":\"" + ALICE + "\",\"until\":\"2030-01-02T00:00:00Z\",\"active\":true")
                .contains("\"recent\":[{\"id\":\"det-").contains("\"rule\":\"access-denied\"");
        assertThat(call("detect", "GET", Map.of("limit", "1"))).containsOnlyOnce("\"rule\":\"access-denied\"");
        assertThat(call("detect", "GET", Map.of("limit", "0"))).endsWith("\"recent\":[]}");
        assertFails("detect", "GET", Map.of("limit", "x"), FailureKind.INVALID_REQUEST, "limit");
        assertFails("detect", "POST", Map.of("exempt", ALICE, "until", "tomorrow"), FailureKind.INVALID_REQUEST, "ISO-8601");
        assertFails("detect", "POST", Map.of("exempt", ALICE, "until", "2020-01-01T00:00:00Z"), FailureKind.INVALID_REQUEST,
                "future");
        assertFails("detect", "POST", Map.of("exempt", Containment.SYSTEM_ROOT_ARN), FailureKind.INVALID_REQUEST, "not an IAM");
        assertThat(call("detect", "POST", Map.of("unexempt", ALICE))).isEqualTo("{\"unexempted\":\"" + ALICE + "\"}");
        assertFails("detect", "POST", Map.of("unexempt", ALICE), FailureKind.INVALID_REQUEST, "is not exempt");
        assertThat(call("detect", "POST", Map.of("exempt", ALICE))).isEqualTo("{\"exempt\":\"" + ALICE + "\",\"until\":null}");
    }
}
