package org.devicebridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.devicebridge.simulator.CloudSimulator;
import org.devicebridge.simulator.access.AccessCloudSimulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The simulator's access cloud, unchanged, with the bench's counters in front of it: every call is
 * classified (create, PUT, poll, other) and counted per device, as the cloud sees it, whoever the
 * client is. Serves the counters at {@code GET /bench/stats} and zeroes them at
 * {@code POST /bench/reset} (the simulator's own actions stay).
 *
 * <p>Times are wall-clock milliseconds of this process, taken when the call arrives.
 */
final class CountingAccessCloud implements CloudSimulator {

    private static final ObjectMapper JSON = new ObjectMapper();

    private enum Op { CREATE, PUT, POLL, READ_BACK, OTHER }

    private final AccessCloudSimulator access;
    private volatile Counters counters = new Counters();

    CountingAccessCloud(AccessCloudSimulator access) {
        this.access = access;
    }

    private long uploadUrlTtlMs() {
        return access.settings().uploadUrlTtl().toMillis();
    }

    @Override
    public Map<String, HttpHandler> handlers() {
        Map<String, HttpHandler> out = new HashMap<>();
        access.handlers().forEach((prefix, handler) -> out.put(prefix, exchange -> counted(prefix, handler, exchange)));
        out.put("/bench", this::bench);
        return out;
    }

    @Override
    public void close() {
        access.close();
    }

    private void counted(String prefix, HttpHandler handler, HttpExchange exchange) throws IOException {
        Counters c = counters;
        long at = System.currentTimeMillis();
        String path = exchange.getRequestURI().getRawPath();
        Op op = classify(prefix, exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery());
        Held held = null;
        if (op == Op.CREATE || op == Op.POLL) {
            // the answer is held until it is recorded: a client must not PUT to an upload URL we do not know yet
            held = new Held(exchange.getResponseBody(), body -> c.record(op, path, exchange.getResponseCode(), body, at));
            exchange.setStreams(null, held);
        }
        try {
            handler.handle(exchange);
        } finally {
            if (held == null || !held.recorded) {
                c.record(op, path, exchange.getResponseCode(), new byte[0], at);
            }
        }
    }

    private static Op classify(String prefix, String method, String path, String query) {
        if (prefix.equals(AccessCloudSimulator.UPLOAD_PREFIX)) {
            return "PUT".equals(method) ? Op.PUT : Op.OTHER;
        }
        String[] s = path.substring(prefix.length()).split("/", -1);  // "", "v1", ...
        if ("POST".equals(method) && s.length == 5 && s[1].equals("v1") && s[2].equals("devices") && s[4].equals("actions")) {
            return Op.CREATE;
        }
        if ("GET".equals(method) && s.length == 4 && s[1].equals("v1") && s[2].equals("device-actions") && !s[3].isEmpty()
                && query == null) {
            return Op.POLL;
        }
        if ("GET".equals(method) && s.length == 5 && s[1].equals("v1") && s[2].equals("devices") && s[4].equals("credentials-and-schedules")) {
            return Op.READ_BACK;   // the bridge confirming what the device holds (bridge.access.read-back)
        }
        return Op.OTHER;
    }

    private void bench(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getRawPath();
        byte[] body;
        int status = 200;
        if (path.equals("/bench/reset") && "POST".equals(exchange.getRequestMethod())) {
            counters = new Counters();
            body = "{\"reset\":true}".getBytes(StandardCharsets.UTF_8);
        } else if (path.equals("/bench/stats") && "GET".equals(exchange.getRequestMethod())) {
            boolean full = !"quick".equals(exchange.getRequestURI().getRawQuery());
            body = JSON.writeValueAsBytes(counters.stats(full, System.currentTimeMillis(), uploadUrlTtlMs()));
        } else {
            status = 404;
            body = "{\"error\":\"GET /bench/stats[?quick] or POST /bench/reset\"}".getBytes(StandardCharsets.UTF_8);
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** One device as the cloud saw it. */
    private static final class Device {
        int creates;
        int puts;
        int putsAccepted;
        int putsExpired;
        int polls;
        long lastCreateAt;            // of the newest action: a PUT is still owed for it until accepted
        long putDelayMs = -1;         // create -> accepted PUT of the same action
        long finalAt;                 // first poll answered RESOLVED or REJECTED
    }

    /** An upload URL handed out: whose, and when its action was created. */
    private record Upload(Device device, long createdAt) {
    }

    private static final class Counters {
        final AtomicLong calls = new AtomicLong();
        final AtomicLong creates = new AtomicLong();
        final AtomicLong puts = new AtomicLong();
        final AtomicLong polls = new AtomicLong();
        final AtomicLong readBacks = new AtomicLong();
        final AtomicLong other = new AtomicLong();
        final AtomicLong non2xx = new AtomicLong();
        final AtomicLong putsExpired = new AtomicLong();
        final AtomicLong putsConflict = new AtomicLong();
        final AtomicLong finals = new AtomicLong();
        final AtomicLong firstCallAt = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong firstCreateAt = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong lastCallAt = new AtomicLong();
        final AtomicLong lastFinalAt = new AtomicLong();
        final Map<String, Device> devices = new ConcurrentHashMap<>();
        final Map<String, Device> byAction = new ConcurrentHashMap<>();
        final Map<String, Upload> byToken = new ConcurrentHashMap<>();

        void record(Op op, String path, int status, byte[] body, long at) {
            calls.incrementAndGet();
            firstCallAt.accumulateAndGet(at, Math::min);
            lastCallAt.accumulateAndGet(at, Math::max);
            if (status < 200 || status > 299) {
                non2xx.incrementAndGet();
            }
            switch (op) {
                case CREATE -> create(path, status, body, at);
                case PUT -> put(path, status, at);
                case POLL -> poll(path, status, body, at);
                case READ_BACK -> readBacks.incrementAndGet();
                case OTHER -> other.incrementAndGet();
            }
        }

        private void create(String path, int status, byte[] body, long at) {
            creates.incrementAndGet();
            firstCreateAt.accumulateAndGet(at, Math::min);
            String[] s = path.split("/");
            Device d = devices.computeIfAbsent(URLDecoder.decode(s[s.length - 2], StandardCharsets.UTF_8), k -> new Device());
            synchronized (d) {
                d.creates++;
                if (status == 201) {
                    d.lastCreateAt = at;
                }
            }
            if (status == 201) {
                JsonNode action = parse(body);
                String id = action.path("id").asText(null);
                String url = action.path("upload_url").asText(null);
                if (id != null) {
                    byAction.put(id, d);
                }
                if (url != null) {
                    byToken.put(url.substring(url.lastIndexOf('/') + 1), new Upload(d, at));
                }
            }
        }

        private void put(String path, int status, long at) {
            puts.incrementAndGet();
            Upload u = byToken.get(path.substring(path.lastIndexOf('/') + 1));
            if (status == 403) {
                putsExpired.incrementAndGet();
            } else if (status == 409) {
                putsConflict.incrementAndGet();
            }
            if (u == null) {
                return;
            }
            synchronized (u.device()) {
                u.device().puts++;
                if (status == 200) {
                    u.device().putsAccepted++;
                    u.device().putDelayMs = at - u.createdAt();
                } else if (status == 403) {
                    u.device().putsExpired++;
                }
            }
        }

        private void poll(String path, int status, byte[] body, long at) {
            polls.incrementAndGet();
            Device d = byAction.get(path.substring(path.lastIndexOf('/') + 1));
            if (d == null) {
                return;
            }
            boolean isFinal = false;
            if (status == 200) {
                String s = parse(body).path("status").asText("");
                isFinal = s.equals("RESOLVED") || s.equals("REJECTED");
            }
            synchronized (d) {
                d.polls++;
                if (isFinal && d.finalAt == 0) {
                    d.finalAt = at;
                    finals.incrementAndGet();
                    lastFinalAt.accumulateAndGet(at, Math::max);
                }
            }
        }

        private static JsonNode parse(byte[] body) {
            try {
                return JSON.readTree(body);
            } catch (IOException | RuntimeException e) {
                return JSON.createObjectNode();
            }
        }

        ObjectNode stats(boolean full, long now, long uploadUrlTtlMs) {
            ObjectNode n = JSON.createObjectNode();
            n.put("now", now);
            n.put("calls", calls.get());
            n.put("creates", creates.get());
            n.put("puts", puts.get());
            n.put("polls", polls.get());
            n.put("read_backs", readBacks.get());
            n.put("other", other.get());
            n.put("non2xx", non2xx.get());
            n.put("puts_expired", putsExpired.get());
            n.put("puts_conflict", putsConflict.get());
            n.put("finals", finals.get());
            n.put("first_call_at", firstCallAt.get() == Long.MAX_VALUE ? 0 : firstCallAt.get());
            n.put("first_create_at", firstCreateAt.get() == Long.MAX_VALUE ? 0 : firstCreateAt.get());
            n.put("last_call_at", lastCallAt.get());
            n.put("last_final_at", lastFinalAt.get());
            if (!full) {
                return n;
            }
            int oneAndOne = 0;
            int moreCreates = 0;
            int morePuts = 0;
            int awaitingPut = 0;
            int expiredUnused = 0;
            long oldestAwaitingMs = 0;
            List<Long> delays = new ArrayList<>();
            for (Device d : devices.values()) {
                synchronized (d) {
                    if (d.creates == 1 && d.puts == 1) {
                        oneAndOne++;
                    }
                    if (d.creates > 1) {
                        moreCreates++;
                    }
                    if (d.puts > 1) {
                        morePuts++;
                    }
                    if (d.putsAccepted == 0 && d.lastCreateAt > 0) {
                        awaitingPut++;
                        oldestAwaitingMs = Math.max(oldestAwaitingMs, now - d.lastCreateAt);
                        if (now - d.lastCreateAt >= uploadUrlTtlMs) {
                            expiredUnused++;   // its upload URL expired before any PUT came
                        }
                    }
                    if (d.putDelayMs >= 0) {
                        delays.add(d.putDelayMs);
                    }
                }
            }
            Collections.sort(delays);
            n.put("devices", devices.size());
            n.put("devices_one_create_one_put", oneAndOne);
            n.put("devices_more_than_one_create", moreCreates);
            n.put("devices_more_than_one_put", morePuts);
            n.put("devices_awaiting_put", awaitingPut);
            n.put("oldest_awaiting_put_ms", oldestAwaitingMs);
            n.put("upload_urls_expired_unused", expiredUnused);
            n.put("put_delays", delays.size());
            n.put("put_delay_p50_ms", percentile(delays, 0.50));
            n.put("put_delay_p99_ms", percentile(delays, 0.99));
            n.put("put_delay_max_ms", delays.isEmpty() ? 0 : delays.get(delays.size() - 1));
            return n;
        }

        private static long percentile(List<Long> sorted, double p) {
            return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size())));
        }
    }

    /** Holds what the handler writes; on close, records it, then sends it on. */
    private static final class Held extends OutputStream {
        private final OutputStream out;
        private final Consumer<byte[]> recorder;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
        volatile boolean recorded;

        Held(OutputStream out, Consumer<byte[]> recorder) {
            this.out = out;
            this.recorder = recorder;
        }

        @Override
        public void write(int b) {
            buffer.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            buffer.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (recorded) {
                return;
            }
            byte[] body = buffer.toByteArray();
            recorder.accept(body);
            recorded = true;
            out.write(body);
            out.close();
        }
    }
}
