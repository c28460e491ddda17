package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code dev.arca.server.Main serve} in a child JVM on a port it picks (port 0: no race with
 * other tests for a "free" port); its output is drained into {@code log} so it never blocks.
 */
public final class ChildServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    final Process process;
    final String endpoint;
    final String recoveryLine;
    final Path log;

    private ChildServer(Process process, String endpoint, String recoveryLine, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.recoveryLine = recoveryLine;
        this.log = log;
    }

    static ChildServer start(Path data, Path log) throws IOException, InterruptedException {
        return start(data, log, "-Xmx512m");
    }

    /** Starts the server with {@code heap} (a -Xmx flag) as its heap limit. */
    static ChildServer start(Path data, Path log, String heap) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, heap, "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                "dev.arca.server.Main", "serve", "--data", data.toString(), "--address", "127.0.0.1:0",
                "--tls-port", "off")
                .redirectErrorStream(true);
        // Only the flags and these two configure the child, whatever ARCA_* the test JVM inherited.
        pb.environment().keySet().removeIf(k -> k.startsWith("ARCA_"));
        pb.environment().put("ARCA_ROOT_ACCESS_KEY", ArcaTestServer.ACCESS_KEY);
        pb.environment().put("ARCA_ROOT_SECRET_KEY", ArcaTestServer.SECRET_KEY);
        Process process = pb.start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        CompletableFuture<String> recovery = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("crash-child-output").start(() -> {
            try (BufferedReader in = process.inputReader(StandardCharsets.UTF_8);
                    BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.write(line);
                    out.newLine();
                    out.flush();
                    if (line.contains("start-up recovery")) {
                        recovery.complete(line.substring(line.indexOf("start-up recovery")));
                    }
                    if (line.contains("ready") && line.contains("http://")) {
                        ready.complete(line.substring(line.indexOf("http://")).trim());
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("server exited before it was ready"));
        });
        try {
            String endpoint = ready.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new ChildServer(process, endpoint, recovery.getNow("(no recovery line)"), log);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("child server did not become ready: " + e + "; log " + log.toAbsolutePath()
                    + ":\n" + tail(log), e);
        }
    }

    /** SIGKILL: no shutdown hook, no flush, nothing. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("child died after SIGKILL").isTrue();
    }

    /** SIGTERM and wait: the server's shutdown hook closes it cleanly. */
    void stopGracefully(String tag) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            fail("%s: child did not stop within %s of SIGTERM; log %s", tag, STOP_TIMEOUT, log.toAbsolutePath());
        }
        // 143 = 128 + SIGTERM: the JVM's exit status after running its shutdown hooks.
        assertThat(process.exitValue()).as("%s: exit status after SIGTERM; log %s:%n%s", tag, log.toAbsolutePath(), tail(log))
                .isIn(0, 143);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                process.destroyForcibly().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read log: " + e + ")";
        }
    }
}
