package org.devicebridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The status API's and the probes' benchmark ({@code bench/status-api.sh}). Starts the bridge jar
 * with its built-in simulator (own folders, loopback, free ports, a small static folder served at
 * {@code /static/}), fills its ledger over {@code POST /commands/v0/requests/} with about
 * {@code bench.commands} commands of every kind (see {@link #fill}), then measures, in rounds that take the targets in
 * turn (so a noisy neighbour hurts all of them alike): a static page, liveness, readiness, the
 * whole health document, and the status list with {@code limit=100}. Each target is driven by
 * {@code bench.clients} threads with keep-alive connections for {@code bench.seconds} per round.
 * Prints req/s and p50 per target, and each one's rate as a ratio of the static page's.
 * <p>
 * Options (system properties): {@code bench.jar} (required), {@code bench.commands} (5000),
 * {@code bench.clients} (4), {@code bench.seconds} (4), {@code bench.rounds} (3),
 * {@code bench.heap} (512m).
 */
public final class StatusApiBench {

    private static final String TOKEN = "tok_bench_status_0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusApiBench() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(System.getProperty("bench.jar", "target/device-action-bridge.jar")).toAbsolutePath();
        int commands = Integer.getInteger("bench.commands", 5000);
        int clients = Integer.getInteger("bench.clients", 4);
        int seconds = Integer.getInteger("bench.seconds", 4);
        int rounds = Integer.getInteger("bench.rounds", 3);
        Path dir = Files.createTempDirectory("status-api-bench");
        Files.createDirectories(dir.resolve("www/static"));  // Camel's static handler looks up the request's whole path
        Files.writeString(dir.resolve("www/static/index.html"), "<!doctype html><title>bench</title><p>" + "static page ".repeat(40) + "</p>\n");
        int port = freePort();
        int managementPort = freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + System.getProperty("bench.heap", "512m")));
        command.addAll(BridgeProcess.userJvmOptions(Path.of("")));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bridge.http.host", "127.0.0.1");
        p.put("bridge.http.port", String.valueOf(port));
        p.put("bridge.management.port", String.valueOf(managementPort));
        p.put("bridge.db.url", "jdbc:h2:file:" + dir.resolve("ledger"));
        for (String folder : List.of("inbox", "archive", "deadletter", "outbox")) {
            p.put("bridge." + folder + ".dir", dir.resolve(folder).toString());
        }
        p.put("bridge.jms.data-dir", dir.resolve("broker").toString());
        p.put("bridge.jms.embedded-port", "");
        p.put("bridge.examples.seed", "false");
        p.put("bridge.api.token", TOKEN);
        p.put("bridge.simulator.access.processing-delay", "200ms");
        p.put("bridge.simulator.access.transient-5xx-share", "0");
        p.put("bridge.simulator.access.webhook-duplicate-share", "0");
        p.put("bridge.simulator.network.rate-limit", "1000");   // the history is written in seconds, not minutes
        p.put("bridge.network.rate-limit", "1000");
        p.put("camel.server.staticEnabled", "true");
        p.put("camel.server.staticSourceDir", dir.resolve("www").toString());
        p.put("camel.server.staticContextPath", "/static");
        p.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", jar.toString()));
        Process bridge = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("bridge.log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(bridge::destroyForcibly));
        try {
            String api = "http://127.0.0.1:" + port;
            String management = "http://127.0.0.1:" + managementPort;
            awaitUp(bridge, management + "/observe/health/live", dir);
            System.out.printf("bridge up (log %s); filling the ledger with %d commands ...%n", dir.resolve("bridge.log"), commands);
            fill(api, commands);
            Map<String, HttpRequest> targets = new LinkedHashMap<>();
            targets.put("static page", get(api + "/static/index.html", null));
            // the same bytes as a list page, served as a file: how much of the list's cost is its size alone
            HttpResponse<byte[]> page = HttpClient.newHttpClient().send(get(api + "/commands/v0/status/?limit=100", TOKEN),
                    HttpResponse.BodyHandlers.ofByteArray());
            Files.write(dir.resolve("www/static/list.json"), page.body());
            targets.put("static page, list-sized", get(api + "/static/list.json", null));
            targets.put("liveness", get(management + "/observe/health/live", null));
            targets.put("readiness", get(management + "/observe/health/ready", null));
            targets.put("health (all)", get(management + "/observe/health", null));
            targets.put("status list limit=100", get(api + "/commands/v0/status/?limit=100", TOKEN));
            targets.put("status list limit=100 filtered", get(api + "/commands/v0/status/?limit=100&kind__eq=command&order=DESC", TOKEN));
            for (var t : targets.entrySet()) {  // each answers as expected before it is timed
                HttpResponse<String> r = HttpClient.newHttpClient().send(t.getValue(), HttpResponse.BodyHandlers.ofString());
                System.out.printf("  %-32s HTTP %d, %d bytes%n", t.getKey(), r.statusCode(), r.body().length());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException(t.getKey() + " answered " + r.statusCode() + ": " + r.body());
                }
            }
            Map<String, List<Long>> latencies = new LinkedHashMap<>();
            Map<String, double[]> totals = new LinkedHashMap<>(); // requests, seconds
            targets.keySet().forEach(k -> {
                latencies.put(k, new ArrayList<>());
                totals.put(k, new double[2]);
            });
            drive(targets.get("static page"), clients, 2, new ArrayList<>(), new double[2]); // warm-up
            drive(targets.get("status list limit=100"), clients, 2, new ArrayList<>(), new double[2]);
            for (int round = 1; round <= rounds; round++) {
                for (var t : targets.entrySet()) {
                    drive(t.getValue(), clients, seconds, latencies.get(t.getKey()), totals.get(t.getKey()));
                }
            }
            double staticRate = totals.get("static page")[0] / totals.get("static page")[1];
            System.out.printf("%n%d commands in the ledger, %d clients, %d rounds of %d s per target%n", commands, clients, rounds, seconds);
            double sizedRate = totals.get("static page, list-sized")[0] / totals.get("static page, list-sized")[1];
            System.out.printf("%-32s %10s %10s %12s %16s%n", "target", "req/s", "p50 ms", "x static", "x list-sized");
            for (var t : targets.keySet()) {
                double rate = totals.get(t)[0] / totals.get(t)[1];
                System.out.printf("%-32s %10.0f %10.2f %12.2f %16.2f%n", t, rate, percentile(latencies.get(t), 50) / 1e6,
                        rate / staticRate, rate / sizedRate);
            }
        } finally {
            bridge.destroy();
            if (!bridge.waitFor(30, TimeUnit.SECONDS)) {
                bridge.destroyForcibly();
            }
        }
    }

    /**
     * About {@code commands} commands over the API, as a long-running bridge holds them: mostly
     * history (half of them from bulk actions of 100 devices, 30 % capability and 5 % credentials
     * actions, all run to their end on the simulated clouds) and an open inbox (the rest:
     * {@code command} actions no device fetched). Waits until every cloud action is final, so that the timing sees a quiet engine.
     */
    private static void fill(String api, int commands) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<String> clouds = new ArrayList<>();
        int bulk = commands * 5 / 10 / 100;
        int capability = commands * 3 / 10;
        int credentials = commands / 20;
        int inbox = commands - bulk * 100 - capability - credentials;
        ObjectNode document = JSON.createObjectNode().put("request_id", "bench-clouds");
        ArrayNode actions = document.putArray("actions");
        for (int i = 0; i < bulk; i++) {
            ArrayNode ids = actions.addObject().put("kind", "bulk").put("type", "renew_ip").putArray("ids");
            for (int d = 0; d < 100; d++) {
                ids.add("HW-" + i + "-" + d);
            }
        }
        for (int i = 0; i < capability; i++) {
            actions.addObject().put("kind", "capability").put("device", "lamp-" + i).putArray("actions").addObject()
                    .put("type", "devices.capabilities.on_off").putObject("state").put("instance", "on").put("value", true);
        }
        for (int i = 0; i < credentials; i++) {
            ObjectNode payload = actions.addObject().put("kind", "credentials").put("device", "door-" + i).putObject("payload");
            payload.putArray("credentials").addObject().put("id", "1a2b3c4d").put("holder", "Ada");
        }
        post(http, api, document);
        clouds.add("bench-clouds");
        document = JSON.createObjectNode().put("request_id", "bench-inbox");
        actions = document.putArray("actions");
        for (int i = 0; i < inbox; i++) {
            actions.addObject().put("kind", "command").put("device", "gw-" + (i % 100)).put("command", "reboot").putObject("params").put("delay", 5);
        }
        post(http, api, document);
        long until = System.currentTimeMillis() + 900_000;
        for (String request : List.of("bench-clouds", "bench-inbox")) {
            String wanted = request.equals("bench-inbox") ? "running" : "finished";
            while (true) {
                HttpResponse<String> r = http.send(get(api + "/commands/v0/requests/" + request + "/", TOKEN), HttpResponse.BodyHandlers.ofString());
                JsonNode content = JSON.readTree(r.body()).path("content");
                if (content.path("state").asText().equals(wanted)) {
                    System.out.printf("  %s: %s, %d commands%n", request, wanted, content.path("commands").asInt());
                    break;
                }
                if (System.currentTimeMillis() > until) {
                    throw new IllegalStateException(request + " is not " + wanted + " in time: " + r.body());
                }
                Thread.sleep(1000);
            }
        }
    }

    private static void post(HttpClient http, String api, ObjectNode document) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/commands/v0/requests/"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(document.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("POST answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** {@code clients} threads sending {@code request} back to back for {@code seconds}; adds latencies (ns) and totals. */
    private static void drive(HttpRequest request, int clients, int seconds, List<Long> latencies, double[] totals) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        List<long[]> perThread = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic.AtomicReference<>();
        long started = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            long[] samples = new long[500_000];
            perThread.add(samples);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Thread t = new Thread(() -> {
                int n = 0;
                while (System.nanoTime() < end && n < samples.length - 1 && failure.get() == null) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException("answered " + r.statusCode());
                        }
                    } catch (IOException | InterruptedException | RuntimeException e) {
                        failure.compareAndSet(null, new IllegalStateException(request.uri() + ": " + e.getMessage(), e));
                        break;
                    }
                    samples[++n] = System.nanoTime() - t0;
                }
                samples[0] = n;
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        long count = 0;
        for (long[] samples : perThread) {
            count += samples[0];
            for (int i = 1; i <= samples[0]; i++) {
                latencies.add(samples[i]);
            }
        }
        totals[0] += count;
        totals[1] += elapsed;
    }

    private static double percentile(List<Long> values, int p) {
        long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static HttpRequest get(String url, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.build();
    }

    private static void awaitUp(Process bridge, String url, Path dir) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long until = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < until && bridge.isAlive()) {
            try {
                if (http.send(get(url, null), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the bridge did not start; see " + dir.resolve("bridge.log"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
