package dev.arca.client.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestoreCommandTest {
    private static final String RUNNING = """
            {"job":"j1","state":"running","done":false,"dryRun":false,"bucket":"b","prefix":"p/","to":"2026-01-01T00:00:00Z",\
            "keysTotal":200,"keysExamined":50,"restored":3,"hidden":1,"unchanged":46,"changedDuringRestore":0,"skipped":0,\
            "failed":0,"lockedVersionsKept":0,"bytesCopied":0,"durationMillis":500,"complete":false,"lastKey":"p/x","errors":[]}""";
    private static final String DONE = """
            {"job":"j1","state":"done","done":true,"dryRun":false,"bucket":"b","prefix":"p/","to":"2026-01-01T00:00:00Z",\
            "keysTotal":200,"keysExamined":200,"restored":10,"hidden":2,"unchanged":186,"changedDuringRestore":1,"skipped":0,\
            "failed":1,"lockedVersionsKept":4,"bytesCopied":2097152,"durationMillis":1500,"complete":true,"lastKey":"p/z",\
            "errors":[{"key":"p/\\"q\\"","message":"InternalError: disk \\u00e9"}]}""";

    @Test
    void argumentsNeedABucketAndATimeOrAJobToResume() throws Exception {
        assertThat(RestoreCommand.parse(List.of("--bucket", "b", "--to", "2026-01-01T00:00:00Z", "--dry-run")))
                .containsEntry("dry-run", "true").containsEntry("bucket", "b");
        assertThat(RestoreCommand.parse(List.of("--dry-run", "false", "--resume", "j1"))).containsEntry("dry-run", "false");
        assertThat(RestoreCommand.parse(List.of("--bucket", "b", "--to", "2026-01-01T02:00:00+02:00"))).hasSize(2);
        assertThatThrownBy(() -> RestoreCommand.parse(List.of("--bucket", "b"))).hasMessageContaining("required");
        assertThatThrownBy(() -> RestoreCommand.parse(List.of("--bucket", "b", "--to", "2026-01-01")))
                .hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> RestoreCommand.parse(List.of("--bucket", "b", "--to", "2026-01-01T00:00:00Z", "--bogus", "1")))
                .hasMessageContaining("--bogus");
        assertThatThrownBy(() -> RestoreCommand.parse(List.of("--resume"))).hasMessageContaining("needs a value");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(RestoreCommand.run(List.of("--bucket", "b"), Map.of(), e, e)).isEqualTo(2);
        assertThat(AdminMain.run(List.of("restore", "--to", "x"), Map.of(), e, e)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: ./arca restore");
    }

    @Test
    void progressIsOneLineWithABarCountsAndARate() {
        assertThat(RestoreCommand.progressLine(RUNNING))
                .isEqualTo("restore [#######-----------------------]  25%  50/200 keys  restored 3  hidden 1  unchanged 46  100 keys/s");
        assertThat(RestoreCommand.progressLine(RUNNING.replace("\"keysTotal\":200", "\"keysTotal\":-1")))
                .startsWith("restore [counting keys] 50 keys");
    }

    @Test
    void theSummaryCountsEveryOutcomeAndFailedKeysMakeTheExitStatusOne() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = RestoreCommand.summary("j1", DONE, new PrintStream(out, true, StandardCharsets.UTF_8));
        String s = out.toString(StandardCharsets.UTF_8);
        assertThat(rc).isEqualTo(1);
        assertThat(s).contains("restore of s3://b/p/ to 2026-01-01T00:00:00Z: done in 1.5 s")
                .containsPattern("restored +10 \\(2.0 MiB copied\\)").containsPattern("changed during restore +1")
                .containsPattern("locked versions kept +4").contains("p/\"q\": InternalError: disk \u00e9");
        out.reset();
        assertThat(RestoreCommand.summary("j1", DONE.replace("\"failed\":1", "\"failed\":0"),
                new PrintStream(out, true, StandardCharsets.UTF_8))).isZero();
        out.reset();
        String dry = DONE.replace("\"dryRun\":false", "\"dryRun\":true");
        RestoreCommand.summary("j1", dry, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("dry run").contains("nothing was written")
                .containsPattern("to restore +10 \\(2.0 MiB to copy\\)").containsPattern("to hide +2");
        out.reset();
        String stopped = DONE.replace("\"state\":\"done\"", "\"state\":\"stopped\"").replace("\"failed\":1", "\"failed\":0");
        assertThat(RestoreCommand.summary("j1", stopped, new PrintStream(out, true, StandardCharsets.UTF_8))).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--resume j1");
        String failed = "{\"job\":\"j1\",\"state\":\"failed\",\"done\":true,\"bucket\":\"b\",\"prefix\":\"\",\"to\":\"t\",\"error\":\"boom\"}";
        out.reset();
        assertThat(RestoreCommand.summary("j1", failed, new PrintStream(out, true, StandardCharsets.UTF_8))).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("failed: boom");
    }
}
