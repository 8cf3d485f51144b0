package org.devicebridge.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One bridge as an operator runs it: {@code java -jar target/device-action-bridge.jar}, its own
 * process, folders and ports, output to {@code <dir>/bridge.log}. Its CPU time is read from
 * {@code /proc/<pid>/stat}.
 */
final class BridgeProcess implements AutoCloseable {

    private static final long CLOCK_TICKS = clockTicks();

    private final Process process;
    private final Path log;
    private final int managementPort;

    private BridgeProcess(Process process, Path log, int managementPort) {
        this.process = process;
        this.log = log;
        this.managementPort = managementPort;
    }

    /**
     * The bridge's settings for the bench, in {@code dir}: no simulator, the bench's cloud, loopback
     * on free ports, the test suite's fast ticks, webhooks from the cloud off (no secret).
     */
    static Map<String, String> settings(Path dir, String accessBase, Duration pollInitial, Duration pollMax) {
        Map<String, String> p = new TreeMap<>();
        p.put("bridge.simulator.enabled", "false");
        p.put("bridge.access.base-url", accessBase);
        p.put("bridge.http.host", "127.0.0.1");
        // -Dbench.h2-settings=";PAGE_SIZE=1024": settings added to the H2 URL
        p.put("bridge.db.url", "jdbc:h2:file:" + dir.resolve("ledger").toAbsolutePath() + System.getProperty("bench.h2-settings", ""));
        p.put("bridge.inbox.dir", dir.resolve("inbox").toString());
        p.put("bridge.archive.dir", dir.resolve("archive").toString());
        p.put("bridge.deadletter.dir", dir.resolve("deadletter").toString());
        p.put("bridge.outbox.dir", dir.resolve("outbox").toString());
        p.put("bridge.jms.data-dir", dir.resolve("broker").toString());
        p.put("bridge.jms.embedded-port", "");
        p.put("bridge.examples.seed", "false");
        p.put("bridge.inbox.min-age", "100");
        p.put("bridge.inbox.poll-delay", "100");
        p.put("bridge.access.tick", "100");
        p.put("bridge.deadline.check-interval", "200");
        p.put("bridge.results.check-interval", "200");
        p.put("bridge.retry.initial-delay", "100ms");
        p.put("bridge.retry.max-delay", "1s");
        p.put("bridge.poll.initial-interval", pollInitial.toMillis() + "ms");
        p.put("bridge.poll.max-interval", pollMax.toMillis() + "ms");
        p.put("bridge.jms.events-tick", "100");
        p.put("bridge.once.max-wait", "PT15M");
        p.put("camel.main.auto-configuration-log-summary", "false");
        return p;
    }

    /**
     * Starts {@code java [-Dkey=value ...] -jar jar [args]} in {@code workDir} (the checkout: its
     * {@code config/} and {@code routes/}); the HTTP and management ports are picked here.
     */
    static BridgeProcess start(Path workDir, Path jar, Path dir, String name, Map<String, String> settings, String apiKey,
                               String... args) throws IOException {
        Files.createDirectories(dir.resolve("inbox"));
        int managementPort = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(userJvmOptions(workDir));
        // e.g. -Dbench.bridge.jvm-options="-XX:StartFlightRecording=filename=/tmp/bridge.jfr": to see where a bridge's time goes
        String jvmOptions = System.getProperty("bench.bridge.jvm-options", "").trim();
        if (!jvmOptions.isEmpty()) {
            command.addAll(List.of(jvmOptions.split("\\s+")));
        }
        settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-Dbridge.http.port=" + freePort());
        command.add("-Dbridge.management.port=" + managementPort);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(args));
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("BRIDGE_ACCESS_API_KEY", apiKey);
        return new BridgeProcess(pb.start(), log, managementPort);
    }

    /**
     * The JVM options a user runs the bridge with (the README's {@code @config/jvm.options}), as the launcher's
     * argument; {@code -Dbench.bridge.options-file=} (blank) runs the bridge on the JVM's defaults instead.
     */
    static List<String> userJvmOptions(Path workDir) {
        String optionsFile = System.getProperty("bench.bridge.options-file", "config/jvm.options").trim();
        return optionsFile.isEmpty() ? List.of() : List.of("@" + workDir.resolve(optionsFile).toAbsolutePath());
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits for the process to end; its exit code, or null when it did not end in time. */
    Integer waitFor(Duration max) throws InterruptedException {
        return process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** Waits until the management port answers (the Camel context is up); false when it did not in time or the process ended. */
    boolean awaitStarted(Duration max) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long until = System.currentTimeMillis() + max.toMillis();
        while (System.currentTimeMillis() < until && process.isAlive()) {
            try {
                client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                return true;
            } catch (IOException e) {
                Thread.sleep(250);
            }
        }
        return false;
    }

    /** CPU seconds (user + system, all threads) used so far, from /proc; -1 once the process is gone. */
    double cpuSeconds() {
        return cpuSeconds(process.pid());
    }

    /** CPU seconds (user + system, all threads) that process {@code pid} used so far, from /proc; -1 once it is gone. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS;  // utime, stime
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Bytes the process has written so far (files and sockets: {@code wchar} of /proc); -1 once the process is gone. */
    long bytesWritten() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "io"))) {
                if (line.startsWith("wchar:")) {
                    return Long.parseLong(line.substring("wchar:".length()).trim());
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU seconds per thread (its name and id), from a {@code jcmd <pid> Thread.print} thread dump
     * (each thread's line carries {@code cpu=...ms}): where the time goes, by full thread name.
     */
    java.util.Map<String, Double> cpuSecondsByThread() {
        java.util.Map<String, Double> byThread = new java.util.HashMap<>();
        var line = java.util.regex.Pattern.compile("^\"(.*?)\" (?:#(\\d+) )?.*cpu=([0-9.]+)ms");
        try {
            Process jcmd = new ProcessBuilder("jcmd", String.valueOf(process.pid()), "Thread.print")
                    .redirectErrorStream(true).start();
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(jcmd.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                out.lines().map(line::matcher).filter(java.util.regex.Matcher::find)
                        .forEach(m -> byThread.put(m.group(1) + "#" + (m.group(2) == null ? "vm" : m.group(2)), Double.parseDouble(m.group(3)) / 1000));
            }
            jcmd.waitFor();
        } catch (IOException e) {
            // no jcmd: no breakdown
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return byThread;
    }

    /** SIGKILL, as {@code kill -9}: no shutdown hook runs. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM (graceful shutdown), then SIGKILL if it takes longer than 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill9();
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
