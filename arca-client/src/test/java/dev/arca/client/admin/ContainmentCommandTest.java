package dev.arca.client.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainmentCommandTest {
    private static final String ARN = "arn:aws:iam::111122223333:user/mallory";

    private static ContainmentCommand.Call parse(String command, String... args) throws Exception {
        return ContainmentCommand.parse(command, List.of(args), new LinkedHashMap<>());
    }

    @Test
    void actionsBecomeAdminCalls() throws Exception {
        assertThat(parse("quarantine", "list")).isEqualTo(new ContainmentCommand.Call("GET", "quarantine", List.of()));
        assertThat(parse("quarantine", "release", ARN))
                .isEqualTo(new ContainmentCommand.Call("POST", "quarantine", List.of(Map.entry("release", ARN))));
        assertThat(parse("quarantine", "add", ARN, "--reason", "stolen key")).isEqualTo(new ContainmentCommand.Call("POST",
                "quarantine", List.of(Map.entry("principal", ARN), Map.entry("reason", "stolen key"))));
        assertThat(parse("protect", "add", "vault"))
                .isEqualTo(new ContainmentCommand.Call("POST", "protect", List.of(Map.entry("bucket", "vault"))));
        assertThat(parse("protect", "release", "vault"))
                .isEqualTo(new ContainmentCommand.Call("POST", "protect", List.of(Map.entry("release", "vault"))));
        assertThat(parse("detect", "status", "--limit", "5"))
                .isEqualTo(new ContainmentCommand.Call("GET", "detect", List.of(Map.entry("limit", "5"))));
        assertThat(parse("detect", "exempt", ARN, "--until", "2030-01-01T00:00:00Z")).isEqualTo(new ContainmentCommand.Call(
                "POST", "detect", List.of(Map.entry("exempt", ARN), Map.entry("until", "2030-01-01T00:00:00Z"))));
        assertThat(parse("detect", "unexempt", ARN))
                .isEqualTo(new ContainmentCommand.Call("POST", "detect", List.of(Map.entry("unexempt", ARN))));
        Map<String, String> flags = new LinkedHashMap<>();
        ContainmentCommand.parse("quarantine", List.of("--endpoint", "http://h:1", "list"), flags);
        assertThat(flags).containsEntry("endpoint", "http://h:1");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        for (List<String> bad : List.<List<String>>of(List.of(), List.of("purge"), List.of("release"), List.of("list", "extra"),
                List.of("add", ARN, "--until", "x"), List.of("list", "--limit"))) {
            assertThatThrownBy(() -> ContainmentCommand.parse("quarantine", bad, new LinkedHashMap<>()))
                    .as("%s", bad).isInstanceOf(AdminMain.UsageException.class);
        }
        assertThatThrownBy(() -> parse("detect", "exempt")).hasMessageContaining("needs an argument");
        assertThatThrownBy(() -> parse("protect", "status")).hasMessageContaining("unknown action");
    }

    @Test
    void exitStatuses() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(AdminMain.run(List.of("quarantine"), Map.of(), o, e)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("an action is required").contains("usage: ./arca quarantine");
        assertThat(AdminMain.run(List.of("detect", "--help"), Map.of(), o, e)).isZero();
        // Accepted, but no server there: a failure, not a usage error.
        assertThat(AdminMain.run(List.of("quarantine", "release", ARN, "--endpoint", "http://127.0.0.1:1", "--access-key", "ak",
                "--secret-key", "secret123"), Map.of(), o, e)).isEqualTo(1);
    }
}
