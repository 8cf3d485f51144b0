package org.devicebridge.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.devicebridge.api.ApiCall;
import org.devicebridge.api.ApiException;
import org.devicebridge.api.ApiGate;
import org.devicebridge.cloud.LenientJson;
import org.devicebridge.cloud.Redactor;
import org.devicebridge.fanout.SubscriberStatus;
import org.devicebridge.fanout.SubscriberLedger;
import org.devicebridge.inbox.CommandActionPlanner;
import org.devicebridge.ledger.CallLog;
import org.devicebridge.ledger.CallRecord;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.ConsoleReads;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.RequestCounts;
import org.devicebridge.ledger.RequestRecord;
import org.devicebridge.ledger.StateChange;
import org.devicebridge.ledger.Transition;
import org.devicebridge.network.NetworkCloudAdapter;
import org.devicebridge.observe.BridgeMetrics;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The operator console (docs/console.md): its pages, its login, and the JSON it reads, each method
 * one endpoint of routes/console.yaml. The pages are static files of the jar; everything they show
 * comes from the JSON endpoints, which take the operator token or a console session, like every
 * operator path of the API ({@link ApiGate}). Cancelling goes through the state machine's rules
 * for the operator ({@link LedgerTransitions#moveAsAsked}), exactly as the API's PUT does.
 */
public class ConsoleApi {

    /** The console's static files, by the name in the path, and their media types. */
    private static final Map<String, String> ASSETS = Map.of(
            "console.css", "text/css; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "login.js", "text/javascript; charset=utf-8");
    private static final String CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
            + "form-action 'self'";
    private static final Pattern COMMAND_ID = Pattern.compile("[0-9a-fA-F-]{36}");
    private static final int MAX_REQUEST_ID = 200;
    /** The calls the console's figures per cloud are taken from: the bridge's last this many. */
    static final int RECENT_CALLS = 2_000;
    /** A subscriber's recent failures: its events that failed at least once and were last tried within this window. */
    static final Duration RECENT_FAILURES_WINDOW = Duration.ofHours(1);
    private static final int CANCEL_REFUSALS_SHOWN = 20;
    private static final Map<String, String> SOURCE_LABELS = Map.of("file", "file", "jms", "queue", "schedule", "schedule", "http", "API");
    private static final Map<String, String> KIND_OF_CLOUD = new LinkedHashMap<>();

    static {
        KIND_OF_CLOUD.put("access", "credentials");
        KIND_OF_CLOUD.put("network", NetworkCloudAdapter.KIND);
        KIND_OF_CLOUD.put("home", "capability");
    }

    private final ConsoleSessions sessions;
    private final ConsoleReads reads;
    private final LedgerReads ledgerReads;
    private final CommandStore commandStore;
    private final CallLog callLog;
    private final LedgerTransitions transitions;
    private final SubscriberLedger webhooks;
    private final NetworkCloudAdapter network;
    private final Set<String> configuredClouds;
    private final ApiGate gate;
    private final Redactor redactor;
    private final ObjectMapper mapper;

    public ConsoleApi(ConsoleSessions sessions, ConsoleReads reads, LedgerReads ledgerReads, CommandStore commandStore, CallLog callLog,
                      LedgerTransitions transitions, SubscriberLedger webhooks, NetworkCloudAdapter network, Set<String> configuredClouds,
                      ApiGate gate, Redactor redactor, ObjectMapper mapper) {
        this.sessions = sessions;
        this.reads = reads;
        this.ledgerReads = ledgerReads;
        this.commandStore = commandStore;
        this.callLog = callLog;
        this.transitions = transitions;
        this.webhooks = webhooks;
        this.network = network;
        this.configuredClouds = configuredClouds;
        this.gate = gate;
        this.redactor = redactor;
        this.mapper = mapper;
    }

    // ---------------------------------------------------------------- pages and login

    /** {@code GET /}: the console to a logged-in browser, else the login page. */
    public void page(Exchange exchange) throws IOException {
        boolean loggedIn = sessions.csrfOf(exchange.getIn().getHeader("Cookie", String.class)).isPresent();
        gate.openPublic(exchange);
        serve(exchange, loggedIn ? "console.html" : "login.html", "text/html; charset=utf-8");
    }

    /** {@code GET /console/{file}}: the console's style sheet and scripts (no data in them). */
    public void asset(Exchange exchange) throws IOException {
        String name = exchange.getIn().getHeader("file", String.class); // the path's {file}
        gate.openPublic(exchange);
        String type = name == null ? null : ASSETS.get(name);
        if (type == null) {
            throw new ApiException(404, "Not Found: no console file " + name);
        }
        serve(exchange, name, type);
    }

    /**
     * {@code POST /console/login} with the operator token in the body ({@code {"token":..}}, or the
     * login form's {@code token=..}): opens a session and hands its cookie over; the answer carries
     * the session's anti-forgery token. A wrong token is 401 and opens nothing.
     */
    public void login(Exchange exchange) {
        String formToken = exchange.getIn().getHeader("token", String.class); // the HTTP server hands a form's fields over as headers
        gate.openPublic(exchange);
        ApiCall call = call(exchange);
        String type = call.contentType() == null ? "" : call.contentType().toLowerCase();
        String body = new String(call.body(), StandardCharsets.UTF_8);
        String token;
        boolean form = type.startsWith("application/x-www-form-urlencoded");
        if (form) {
            token = body.isEmpty() ? formToken : formField(body, "token");
        } else if (type.startsWith("application/json")) {
            token = LenientJson.read(mapper, body).path("token").asText(null);
        } else {
            throw ApiException.badRequest("Content-Type", "send the token as application/json or as the login form does");
        }
        if (!gate.isOperatorToken(token)) {
            throw new ApiException(401, "token: not the operator token");
        }
        String id = sessions.open();
        String csrf = sessions.csrfOf(ConsoleSessions.COOKIE + "=" + id).orElseThrow();
        if (form) {   // the form without the script: back to the console
            gate.respondEmpty(exchange, 303);
            exchange.getMessage().setHeader("Location", "../");
        } else {
            gate.respond(exchange, 200, "Logged in", mapper.createObjectNode().put("csrf", csrf));
        }
        exchange.getMessage().setHeader("Set-Cookie", sessions.cookie(id));
        exchange.getMessage().setHeader("Cache-Control", "no-store");
    }

    /** {@code POST /console/logout}: ends the session and removes its cookie. */
    public void logout(Exchange exchange) {
        String cookie = exchange.getIn().getHeader("Cookie", String.class);
        gate.openPublic(exchange);
        sessions.close(cookie);
        gate.respondEmpty(exchange, 204);
        exchange.getMessage().setHeader("Set-Cookie", sessions.expiredCookie());
    }

    /** {@code GET /console/v0/session}: the session's anti-forgery token (null when called with the bearer token). */
    public void session(Exchange exchange) {
        gate.respond(exchange, 200, "OK", mapper.createObjectNode().put("csrf", exchange.getProperty(ApiGate.CONSOLE_CSRF, String.class)));
        exchange.getMessage().setHeader("Cache-Control", "no-store");
    }

    // ---------------------------------------------------------------- what it shows

    /** {@code GET /console/v0/requests?state=&source=&before=&limit=}: requests, newest first, with their progress. */
    public void requests(Exchange exchange) {
        ApiCall call = call(exchange);
        String source = call.parameter("source");   // file, jms, schedule, http, or an embedding application's own
        if (source != null && source.length() > 20) {
            throw ApiException.badRequest("source", "at most 20 characters (file, jms, schedule, http, or an application's own)");
        }
        String state = oneOf(call, "state", Set.of("reading", "running", "finished", "refused"));
        Instant before = instant(call, "before");
        int limit = integer(call, "limit", 25, 1, 100);
        ObjectNode content = mapper.createObjectNode();
        ArrayNode items = content.putArray("items");
        List<ConsoleReads.RequestSummary> page = reads.requests(source, state, before, limit);
        page.forEach(r -> items.add(summary(r)));
        content.put("next_before", page.size() == limit ? page.get(page.size() - 1).request().createdAt().toString() : null);
        content.put("newest_transition_id", reads.newestTransitionId());
        gate.respond(exchange, 200, "OK", content);
    }

    /**
     * {@code GET /console/v0/requests/{id}?state=&device=&kind=&vendor_status=&reason=&limit=&from=}:
     * the request's progress and one page of its commands in batch order, from the place {@code from}
     * ({@code <record>:<device>}, the previous page's {@code next_from}).
     */
    public void request(Exchange exchange) {
        ApiCall call = call(exchange);
        String id = call.parameter("id");
        if (id == null || id.length() > MAX_REQUEST_ID) {
            throw ApiException.badRequest("id", "'" + id + "' is not a request id");
        }
        ConsoleReads.RequestSummary r = reads.request(id);
        if (r == null) {
            throw new ApiException(404, "Not Found: no request " + id);
        }
        List<CommandState> states = new ArrayList<>();
        for (String label : csv(call.parameter("state"))) {
            states.add(CommandState.fromLabel(label).orElseThrow(() -> ApiException.badRequest("state", "unknown state '" + label
                    + "'; one of " + Arrays.stream(CommandState.values()).map(CommandState::label).toList())));
        }
        int limit = integer(call, "limit", 50, 1, 500);
        ConsoleReads.Place from = place(call, "from");
        ConsoleReads.CommandPage page = reads.commands(id, new ConsoleReads.CommandFilter(states, call.parameter("device"), call.parameter("kind"),
                call.parameter("vendor_status"), call.parameter("reason")), from, limit);
        ObjectNode content = summary(r);
        ObjectNode commands = content.putObject("commands_page").put("limit", limit).put("from", from.seq() + ":" + from.position())
                .put("next_from", page.next() == null ? null : page.next().seq() + ":" + page.next().position());
        ArrayNode items = commands.putArray("items");
        for (CommandRecord c : page.items()) {
            items.add(commandRow(c));
        }
        gate.respond(exchange, 200, "OK", content);
    }

    /** {@code GET /console/v0/commands/{id}}: one command, its transitions and the calls made for it (never a secret or an upload URL). */
    public void command(Exchange exchange) {
        ApiCall call = call(exchange);
        String id = call.parameter("id");
        if (id == null || !COMMAND_ID.matcher(id).matches()) {
            throw new ApiException(404, "Not Found: no command " + id);   // as the status API: a malformed id names no command
        }
        CommandRecord c = commandStore.command(id).orElseThrow(() -> new ApiException(404, "Not Found: no command " + id));
        ObjectNode n = commandRow(c);
        n.put("record", c.recordRef());
        n.put("action_id", c.actionId());
        n.put("vendor_ref", c.vendorRef());
        n.put("attempts", c.attempts());
        n.put("polls", c.polls());
        n.put("next_attempt_at", text(c.nextAttemptAt()));
        n.put("deadline_at", text(c.deadlineAt()));
        if (CommandActionPlanner.KIND.equals(c.kind()) && !c.invalid()) {
            n.put("not_before", LenientJson.read(mapper, c.payload()).path("not_before").asText(null));
        }
        ArrayNode history = n.putArray("transitions");
        for (Transition t : ledgerReads.transitions(c.id())) {
            history.addObject().put("at", text(t.at())).put("from", t.from() == null ? null : t.from().label()).put("to", t.to().label())
                    .put("vendor_status", t.vendorStatus()).put("vendor_request_id", t.vendorRequestId()).put("reason", redact(t.reason()));
        }
        ArrayNode calls = n.putArray("calls");
        for (CallRecord k : callLog.calls(c.id())) {
            calls.addObject().put("at", text(k.at())).put("operation", k.operation())
                    .put("cloud", BridgeMetrics.CLOUD_OF_OPERATION.getOrDefault(k.operation(), "other"))
                    .put("http_status", k.httpStatus()).put("duration_ms", k.durationMs())
                    .put("vendor_request_id", k.vendorRequestId()).put("error", redact(k.error()));
        }
        gate.respond(exchange, 200, "OK", n);
    }

    /**
     * {@code GET /console/v0/clouds}: per cloud, its work not final yet, the rate-limit budget in use
     * and when the queued work is sent at best (the network cloud), and the latency and error rate of
     * its recent calls (among the bridge's last {@value #RECENT_CALLS}).
     */
    public void clouds(Exchange exchange) {
        call(exchange);
        Map<String, List<CallRecord>> recent = new LinkedHashMap<>();
        KIND_OF_CLOUD.keySet().forEach(cloud -> recent.put(cloud, new ArrayList<>()));
        for (CallRecord k : reads.recentCalls(RECENT_CALLS)) {
            List<CallRecord> of = recent.get(BridgeMetrics.CLOUD_OF_OPERATION.get(k.operation()));
            if (of != null) {
                of.add(k);
            }
        }
        ObjectNode content = mapper.createObjectNode().put("recent_calls_window", RECENT_CALLS);
        ArrayNode clouds = content.putArray("clouds");
        KIND_OF_CLOUD.forEach((cloud, kind) -> {
            ConsoleReads.KindBacklog backlog = reads.backlog(kind);
            ObjectNode n = clouds.addObject().put("cloud", cloud).put("kind", kind).put("configured", configuredClouds.contains(cloud))
                    .put("waiting", backlog.waiting()).put("started", backlog.started());
            if (NetworkCloudAdapter.KIND.equals(kind) && configuredClouds.contains(cloud)) {
                NetworkCloudAdapter.Quota q = network.quota(backlog.waiting() + backlog.started());
                n.putObject("rate_limit").put("in_use", q.inUse()).put("limit", q.limit()).put("window_seconds", q.window().toMillis() / 1000.0)
                        .put("chunk_size", q.chunkSize()).put("calls_needed", q.calls())
                        .put("eta_seconds", q.lastCallAfter().toMillis() / 1000.0);
            } else {
                n.putNull("rate_limit");
            }
            n.set("recent", callFigures(recent.get(cloud)));
        });
        ConsoleReads.KindBacklog inbox = reads.backlog(CommandActionPlanner.KIND);
        content.putObject("inbox").put("kind", CommandActionPlanner.KIND).put("waiting", inbox.waiting()).put("started", inbox.started());
        gate.respond(exchange, 200, "OK", content);
    }

    private ObjectNode callFigures(List<CallRecord> rows) {
        // a call made for a chunk of devices has a row per device: counted once
        Set<List<Object>> seen = new java.util.HashSet<>();
        List<CallRecord> calls = rows.stream()
                .filter(k -> seen.add(Arrays.asList(k.at(), k.operation(), k.vendorRequestId(), k.httpStatus(), k.durationMs()))).toList();
        ObjectNode n = mapper.createObjectNode().put("calls", calls.size());
        if (calls.isEmpty()) {
            return n.putNull("p50_ms").putNull("p95_ms").put("errors", 0).putNull("error_rate").putNull("last_at").putNull("since");
        }
        long[] durations = calls.stream().mapToLong(CallRecord::durationMs).sorted().toArray();
        long errors = calls.stream().filter(k -> k.httpStatus() == null || k.httpStatus() >= 400).count();
        return n.put("p50_ms", durations[(durations.length - 1) / 2]).put("p95_ms", durations[(int) Math.ceil(durations.length * 0.95) - 1])
                .put("errors", errors).put("error_rate", (double) errors / calls.size())
                .put("last_at", text(calls.get(calls.size() - 1).at())).put("since", text(calls.get(0).at()));
    }

    /** {@code GET /console/v0/fanout}: webhook subscribers and event streams, where their cursors are and how delivery goes. */
    public void fanout(Exchange exchange) {
        call(exchange);
        ObjectNode content = mapper.createObjectNode().put("newest_transition_id", reads.newestTransitionId())
                .put("recent_failures_window_minutes", RECENT_FAILURES_WINDOW.toMinutes());
        Instant since = Instant.now().minus(RECENT_FAILURES_WINDOW);
        ArrayNode items = content.putArray("items");
        for (SubscriberStatus s : webhooks.cursors()) {
            boolean stream = s.name().startsWith("stream:");
            items.addObject().put("name", stream ? s.name().substring("stream:".length()) : s.name())
                    .put("type", stream ? "event stream" : "webhook").put("url", stream ? null : redactor.url(s.url()))
                    .put("cursor", s.lastTransitionId()).put("lag", s.backlog()).put("last_delivered_at", text(s.lastDeliveredAt()))
                    .put("last_status", s.lastStatus()).put("last_error", redact(s.lastError())).put("attempts", s.attempts())
                    .put("next_attempt_at", text(s.nextAttemptAt())).put("paused_until", text(s.pausedUntil()))
                    .put("recent_failures", webhooks.recentFailures(s.name(), since));
        }
        gate.respond(exchange, 200, "OK", content);
    }

    // ---------------------------------------------------------------- operator actions

    /**
     * {@code POST /console/v0/requests/{id}/cancel} with {@code {"force","reason"}}: cancels every
     * command of the request that is not final, each by the rules of the API's PUT; answers how many
     * were cancelled and which were refused, and why.
     */
    public void cancelRequest(Exchange exchange) {
        ApiCall call = call(exchange);
        String id = call.parameter("id");
        if (id == null || id.length() > MAX_REQUEST_ID || commandStore.request(id).isEmpty()) {
            throw new ApiException(404, "Not Found: no request " + id);
        }
        JsonNode body = call.body().length == 0 ? mapper.createObjectNode()
                : LenientJson.read(mapper, new String(call.body(), StandardCharsets.UTF_8));
        boolean force = body.path("force").asBoolean(false);
        JsonNode reasonField = body.get("reason");
        if (reasonField != null && !reasonField.isNull() && (!reasonField.isTextual() || reasonField.asText().length() > 2000)) {
            throw ApiException.badRequest("reason", "must be a string of at most 2000 characters");
        }
        String reason = reasonField == null || reasonField.isNull() ? "cancelled by the operator" : reasonField.asText();
        int cancelled = 0;
        int refused = 0;
        ObjectNode content = mapper.createObjectNode();
        ArrayNode refusals = mapper.createArrayNode();
        for (CommandRecord c : reads.unfinished(id)) {
            try {
                transitions.moveAsAsked(c.id(), LedgerTransitions.Requester.OPERATOR, CommandActionPlanner.KIND.equals(c.kind()), force,
                        new StateChange(CommandState.CANCELLED, null, null, reason));
                cancelled++;
            } catch (LedgerTransitions.RefusedMove e) {
                refused++;
                if (refusals.size() < CANCEL_REFUSALS_SHOWN) {
                    refusals.addObject().put("command_id", c.id()).put("reason", e.getMessage());
                }
            }
        }
        content.put("request_id", id).put("cancelled", cancelled).put("refused", refused).set("refusals", refusals);
        gate.respond(exchange, 200, cancelled + " commands cancelled, " + refused + " refused", content);
    }

    // ---------------------------------------------------------------- views

    private ObjectNode summary(ConsoleReads.RequestSummary s) {
        RequestRecord r = s.request();
        RequestCounts c = s.counts();
        String state = s.refusedReason() != null ? "refused" : !r.intakeComplete() ? "reading" : r.finishedAt() == null ? "running" : "finished";
        ObjectNode n = mapper.createObjectNode();
        n.put("request_id", r.id()).put("source", r.source()).put("source_label", SOURCE_LABELS.getOrDefault(r.source(), r.source()))
                .put("name", r.sourceName()).put("state", state).put("records_read", s.recordsRead())
                .put("refused_reason", redact(s.refusedReason())).put("commands", c.total() - c.invalid());
        n.putObject("progress").put("succeeded", c.of(CommandState.SUCCESS)).put("failed", c.of(CommandState.FAILURE))
                .put("timed_out", c.of(CommandState.TIMEOUT)).put("cancelled", c.of(CommandState.CANCELLED))
                .put("in_flight", c.of(CommandState.INITIATED) + c.of(CommandState.ACKNOWLEDGED) + c.of(CommandState.IN_PROGRESS))
                .put("queued", c.of(CommandState.QUEUED) + c.of(CommandState.SCHEDULED)).put("invalid", c.invalid());
        n.put("created_at", text(r.createdAt())).put("intake_done_at", text(r.intakeDoneAt())).put("finished_at", text(r.finishedAt()));
        return n;
    }

    private ObjectNode commandRow(CommandRecord c) {
        boolean pulled = CommandActionPlanner.KIND.equals(c.kind());
        boolean cancellable = LedgerTransitions.refusal(LedgerTransitions.Requester.OPERATOR, pulled, c.state(), CommandState.CANCELLED, false).isEmpty();
        boolean withForce = LedgerTransitions.refusal(LedgerTransitions.Requester.OPERATOR, pulled, c.state(), CommandState.CANCELLED, true).isEmpty();
        return mapper.createObjectNode().put("id", c.id()).put("request_id", c.requestId()).put("kind", c.kind()).put("device", c.device())
                .put("state", c.state().label()).put("vendor_status", c.vendorStatus()).put("reason", redact(c.reason()))
                .put("invalid", c.invalid()).put("created_at", text(c.createdAt())).put("updated_at", text(c.updatedAt()))
                .put("finished_at", text(c.finishedAt()))
                .put("cancel", cancellable ? "allowed" : withForce ? "with force" : "no");
    }

    // ---------------------------------------------------------------- parameters and files

    private void serve(Exchange exchange, String name, String type) throws IOException {
        try (InputStream in = ConsoleApi.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new ApiException(404, "Not Found: the console is not packaged");
            }
            gate.respondRaw(exchange, 200, type, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        var out = exchange.getMessage();
        out.setHeader("Cache-Control", "no-cache");
        out.setHeader("Content-Security-Policy", CSP);
        out.setHeader("X-Content-Type-Options", "nosniff");
        out.setHeader("X-Frame-Options", "DENY");
        out.setHeader("Referrer-Policy", "no-referrer");
    }

    private String redact(String text) {
        return text == null ? null : redactor.text(text);
    }

    private static ApiCall call(Exchange exchange) {
        return exchange.getProperty(ApiGate.CALL, ApiCall.class);
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }

    private static String formField(String body, String name) {
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static String oneOf(ApiCall call, String name, Set<String> allowed) {
        String v = call.parameter(name);
        if (v != null && !allowed.contains(v)) {
            throw ApiException.badRequest(name, "'" + v + "' is not one of " + allowed.stream().sorted().toList());
        }
        return v;
    }

    private static final Pattern PLACE = Pattern.compile("(\\d{1,9}):(\\d{1,9})");

    private static ConsoleReads.Place place(ApiCall call, String name) {
        String v = call.parameter(name);
        if (v == null) {
            return ConsoleReads.Place.FIRST;
        }
        var m = PLACE.matcher(v);
        if (!m.matches()) {
            throw ApiException.badRequest(name, "must be a place such as 120:0 (a page's next_from), not '" + v + "'");
        }
        return new ConsoleReads.Place(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    private static Instant instant(ApiCall call, String name) {
        String v = call.parameter(name);
        try {
            return v == null ? null : Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name, "must be a time such as 2026-01-31T12:00:00Z, not '" + v + "'");
        }
    }

    private static int integer(ApiCall call, String name, int fallback, int min, int max) {
        String v = call.parameter(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.badRequest(name, "must be a whole number from " + min + " to " + max + ", not '" + v + "'");
    }

    private static List<String> csv(String value) {
        return value == null ? List.of() : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
