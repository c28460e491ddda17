package dev.arca.client.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(List<String> args, Map<String, String> env) {
        return AdminMain.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhy(@TempDir Path dir) {
        assertThat(run(List.of(), Map.of())).isEqualTo(2);
        assertThat(run(List.of("bogus"), Map.of())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command 'bogus'").contains("usage:");
        assertThat(run(List.of("heal", "--bucket"), Map.of())).isEqualTo(2);
        assertThat(run(List.of("storage", "--data", dir.toString()), Map.of())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no credentials");
    }

    @Test
    void accountAndIamCommandsCheckTheirArguments() {
        assertThat(run(List.of("iam"), Map.of())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("iam needs an action");
        assertThat(run(List.of("iam", "--UserName", "x"), Map.of())).isEqualTo(2);
        assertThat(run(List.of("create-account", "--access-key", "ak", "--secret-key", "secret123"), Map.of())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--name is required");
        assertThat(run(List.of("delete-account", "--access-key", "ak", "--secret-key", "secret123"), Map.of())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--id is required");
        // An IAM call that cannot reach a server fails (1), after its arguments were accepted.
        assertThat(run(List.of("iam", "CreateUser", "--UserName", "alice", "--endpoint", "http://127.0.0.1:1",
                "--access-key", "ak", "--secret-key", "secret123"), Map.of())).isEqualTo(1);
    }

    @Test
    void anUnreachableServerIsAFailureNotAHang() {
        // Port 1 on loopback refuses connections.
        int rc = run(List.of("storage", "--endpoint", "http://127.0.0.1:1", "--access-key", "ak", "--secret-key", "secret123"),
                Map.of());
        assertThat(rc).isEqualTo(1);
    }

    @Test
    void keyActionsBecomeAdminQueriesAndBadOnesAreUsageErrors() throws Exception {
        assertThat(AdminMain.keyAction(List.of("create", "orders"), Map.of("description", "order data")))
                .containsExactly(Map.entry("create", "orders"), Map.entry("description", "order data"));
        assertThat(AdminMain.keyAction(List.of("rotate", "arca/s3"), Map.of())).containsExactly(Map.entry("rotate", "arca/s3"));
        assertThat(AdminMain.keyAction(List.of("rotate-master"), Map.of())).containsExactly(Map.entry("rotate-master", ""));
        for (List<String> bad : List.of(List.of("rotate"), List.of("explode", "k"), List.of("rotate-master", "x"))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> AdminMain.keyAction(bad, Map.of()))
                    .isInstanceOf(AdminMain.UsageException.class);
        }
        assertThat(run(List.of("keys", "disable", "--endpoint", "http://127.0.0.1:1", "--access-key", "ak",
                "--secret-key", "secret123"), Map.of())).isEqualTo(2);
    }

    @Test
    void summaryFieldsAreParsed() {
        Map<String, String> f = AdminMain.fields("{\"job\":\"X\",\"done\":true,\"scanned\":12,\"unrecoverable\":0}");
        assertThat(f).containsEntry("done", "true").containsEntry("scanned", "12").containsEntry("unrecoverable", "0");
    }
}
