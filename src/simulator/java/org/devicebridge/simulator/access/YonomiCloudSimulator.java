package org.devicebridge.simulator.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.devicebridge.simulator.CloudSimulator;
import org.devicebridge.simulator.FaultInjector;
import org.devicebridge.simulator.HexIds;
import org.devicebridge.simulator.SimulatorHttp;
import org.devicebridge.simulator.SimulatorServer;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Strict simulator of the access cloud's Yonomi Platform dialect: an OAuth2 client-credentials
 * token endpoint, a GraphQL endpoint that knows the upload-URL mutation and the action-events query,
 * pre-authorised upload URLs, asynchronous resolution announced by {@code DEVICE_ACTION_UPDATED}
 * events, and webhooks secured with HTTP Basic (posted without credentials first, then again on the
 * receiver's challenge).
 *
 * <pre>
 * POST /yonomi/oauth2/token        grant_type=client_credentials, client id and secret (Basic or form)
 * POST /yonomi/graphql             Bearer token, installation header, {"query", "variables"}
 * PUT  /yonomi-uploads/{token}     the data file, no Authorization header
 * </pre>
 * GraphQL domain errors are HTTP 200 with {@code errors[].extensions.code}: {@code NOT_FOUND}
 * (device id matching {@code unknownDevicePattern}), {@code FORBIDDEN} (a device of another
 * installation, or the installation header missing or wrong), {@code BAD_USER_INPUT} (variables
 * missing), {@code GRAPHQL_VALIDATION_FAILED} (a document the platform does not know).
 */
public final class YonomiCloudSimulator implements CloudSimulator {

    public static final String API_PREFIX = "/yonomi";
    public static final String UPLOAD_PREFIX = "/yonomi-uploads";
    static final String MUTATION_FIELD = "CredentialsAndSchedulesV1RequestCredentialsAndSchedulesURL";
    private static final Pattern DEVICE_QUERY = Pattern.compile("\\bdevice\\s*\\(\\s*id\\s*:\\s*\\$deviceId\\s*\\)");

    private final String serverBaseUrl;
    private volatile YonomiCloudSettings settings;
    private final ActionStore store = new ActionStore();
    private final FaultInjector apiFaults = new FaultInjector(7);
    private final FaultInjector uploadFaults = new FaultInjector(8);
    private final ScheduledExecutorService scheduler;
    private final YonomiWebhookSender webhooks;
    private final UploadHandler uploadHandler;
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Map<String, List<ObjectNode>> eventsByAction = new ConcurrentHashMap<>();
    private final AtomicLong tokensIssued = new AtomicLong();
    private final AtomicLong refusedTokens = new AtomicLong();
    private final AtomicLong graphqlCalls = new AtomicLong();
    private final AtomicInteger expiredUrlsToHandOut = new AtomicInteger();
    private final AtomicInteger graphqlErrorsToAnswer = new AtomicInteger();
    private volatile String graphqlErrorCode = "INTERNAL";
    private final List<String> installationHeadersSeen = new CopyOnWriteArrayList<>();

    public YonomiCloudSimulator(YonomiCloudSettings settings, String serverBaseUrl) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.serverBaseUrl = serverBaseUrl;
        this.scheduler = Executors.newScheduledThreadPool(2, SimulatorServer.daemonThreads("simulator-yonomi-"));
        this.webhooks = new YonomiWebhookSender(scheduler, settings.randomSeed());
        this.uploadHandler = new UploadHandler(UPLOAD_PREFIX, store, this::uploaded, uploadFaults, () -> 1, () -> { });
    }

    /** Mounts a Yonomi cloud on a server. */
    public static YonomiCloudSimulator mount(SimulatorServer server, YonomiCloudSettings settings) {
        return server.add(new YonomiCloudSimulator(settings, server.baseUrl()));
    }

    @Override
    public Map<String, HttpHandler> handlers() {
        return Map.of(API_PREFIX, this::api, UPLOAD_PREFIX, uploadHandler);
    }

    /** The bridge's {@code bridge.access.base-url}: GraphQL is at {@code {base-url}/graphql}. */
    public String baseUrl() {
        return serverBaseUrl + API_PREFIX;
    }

    /** The bridge's {@code bridge.access.token-url}. */
    public String tokenUrl() {
        return serverBaseUrl + API_PREFIX + "/oauth2/token";
    }

    public YonomiCloudSettings settings() {
        return settings;
    }

    public synchronized void updateSettings(UnaryOperator<YonomiCloudSettings> change) {
        settings = Objects.requireNonNull(change.apply(settings));
    }

    // ---- faults and inspection -----------------------------------------------------------

    /** Every token issued so far expires now: the next GraphQL call with one answers 401. */
    public void expireTokens() {
        tokens.replaceAll((token, until) -> Instant.EPOCH);
    }

    /** The next {@code count} created actions get an upload URL that has already expired (their PUT answers 403). */
    public void expireNextUploadUrls(int count) {
        expiredUrlsToHandOut.set(count);
    }

    /** The next {@code count} GraphQL calls answer HTTP {@code status}, without effect. */
    public void failNextCalls(int count, int status) {
        apiFaults.failNext(count, status);
    }

    /** The next {@code count} GraphQL calls answer HTTP 200 with an error of {@code code} (e.g. INTERNAL), without effect. */
    public void answerNextWithError(int count, String code) {
        graphqlErrorCode = code;
        graphqlErrorsToAnswer.set(count);
    }

    /** The next {@code count} upload-URL answers are cut short on their way; the actions are made all the same. */
    public void garbleNextAnswers(int count) {
        apiFaults.garbleNext(count);
    }

    /** Snapshots of the device's actions' statuses, in creation order. */
    public List<String> statusesFor(String deviceId) {
        return store.all().stream().filter(a -> a.deviceId().equals(deviceId)).map(a -> a.status().name()).toList();
    }

    public long tokensIssued() {
        return tokensIssued.get();
    }

    /** Every access token issued so far (for tests that look for leaks). */
    public List<String> issuedTokens() {
        return new ArrayList<>(tokens.keySet());
    }

    /** GraphQL calls answered 401 because their token was missing, unknown or expired. */
    public long refusedTokens() {
        return refusedTokens.get();
    }

    public long graphqlCalls() {
        return graphqlCalls.get();
    }

    public long uploadsWithAuthorizationHeader() {
        return uploadHandler.uploadsWithAuthorizationHeader();
    }

    public int createCount(String deviceId) {
        return store.createCount(deviceId);
    }

    public long webhookChallenges() {
        return webhooks.challenges();
    }

    public long webhooksAcknowledged() {
        return webhooks.acknowledged();
    }

    /** The action's status, or null when unknown. */
    public String status(String actionId) {
        return store.find(actionId).map(a -> a.status().name()).orElse(null);
    }

    /** The data file the device applied last, or null. */
    public JsonNode appliedFor(String deviceId) {
        return store.applied(deviceId).map(a -> {
            ObjectNode node = SimulatorHttp.JSON.createObjectNode();
            node.set("credentials", a.credentials());
            node.set("schedules", a.schedules());
            return (JsonNode) node;
        }).orElse(null);
    }

    // ---- HTTP ---------------------------------------------------------------------------

    private void api(HttpExchange exchange) throws IOException {
        byte[] body = SimulatorHttp.readBody(exchange);
        String path = SimulatorHttp.pathBelow(exchange, API_PREFIX);
        if (!exchange.getRequestMethod().equals("POST")) {
            SimulatorHttp.sendError(exchange, 405, "method_not_allowed", "only POST");
        } else if (path.equals("/oauth2/token")) {
            token(exchange, body);
        } else if (path.equals("/graphql")) {
            graphqlCalls.incrementAndGet();
            graphql(exchange, body);
        } else {
            SimulatorHttp.sendError(exchange, 404, "unrecognized_request", "no resource at " + exchange.getRequestURI().getRawPath());
        }
    }

    private void token(HttpExchange exchange, byte[] body) throws IOException {
        YonomiCloudSettings current = settings;
        Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String pair;
            try {
                pair = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                pair = "";
            }
            int colon = pair.indexOf(':');
            id = colon < 0 ? null : URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8);
            secret = colon < 0 ? null : URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8);
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            oauthError(exchange, 400, "unsupported_grant_type");
            return;
        }
        if (id == null || secret == null || !SimulatorHttp.sameSecret(id, current.clientId())
                || !SimulatorHttp.sameSecret(secret, current.clientSecret())) {
            oauthError(exchange, 401, "invalid_client");
            return;
        }
        String token = "yat_" + HexIds.random(40);
        tokens.put(token, Instant.now().plus(current.tokenTtl()));
        tokensIssued.incrementAndGet();
        SimulatorHttp.sendJson(exchange, 200, SimulatorHttp.JSON.createObjectNode().put("access_token", token)
                .put("token_type", "Bearer").put("expires_in", current.tokenTtl().toSeconds()));
    }

    private void graphql(HttpExchange exchange, byte[] body) throws IOException {
        YonomiCloudSettings current = settings;
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim() : "";
        Instant until = tokens.get(token);
        if (until == null || !Instant.now().isBefore(until)) {
            refusedTokens.incrementAndGet();
            SimulatorHttp.sendJson(exchange, 401, SimulatorHttp.JSON.createObjectNode().put("message", "Unauthorized"));
            return;
        }
        try {
            apiFaults.check(status -> new AccessApiException(status, "injected", "injected failure", Map.of()));
        } catch (AccessApiException e) {
            e.send(exchange);
            return;
        }
        if (!SimulatorHttp.hasJsonContentType(exchange)) {
            SimulatorHttp.sendError(exchange, 415, "unsupported_media_type", "Content-Type must be application/json");
            return;
        }
        JsonNode request = SimulatorHttp.parseJsonOrNull(body);
        if (request == null || !request.path("query").isTextual() || (request.has("variables") && !request.get("variables").isObject())) {
            SimulatorHttp.sendJson(exchange, 400, errors("the body must be {\"query\": string, \"variables\": object}", "BAD_REQUEST"));
            return;
        }
        if (graphqlErrorsToAnswer.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            SimulatorHttp.sendJson(exchange, 200, errors("injected " + graphqlErrorCode, graphqlErrorCode));
            return;
        }
        String installation = exchange.getRequestHeaders().getFirst(current.installationHeader());
        if (installation == null || !installation.equals(current.installationId())) {
            SimulatorHttp.sendJson(exchange, 200, errors("missing or unknown installation in " + current.installationHeader(), "FORBIDDEN"));
            return;
        }
        String query = request.get("query").asText().replaceAll("(?m)#.*$", "").trim(); // comments are no part of the operation
        JsonNode variables = request.path("variables");
        String deviceId = variables.path("deviceId").asText("");
        if (query.startsWith("mutation") && query.contains(MUTATION_FIELD)) {
            if (deviceId.isEmpty() || !query.contains("$deviceId")) {
                SimulatorHttp.sendJson(exchange, 200, errors("variable $deviceId is required", "BAD_USER_INPUT"));
                return;
            }
            String refused = deviceRefusal(deviceId, current);
            if (refused != null) {
                SimulatorHttp.sendJson(exchange, 200, refused.equals("NOT_FOUND") ? errors("device " + deviceId + " not found", refused)
                        : errors("device " + deviceId + " is not in installation " + current.installationId(), refused));
                return;
            }
            Duration ttl = expiredUrlsToHandOut.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? Duration.ZERO : current.uploadUrlTtl();
            DeviceAction action = store.create(deviceId, Times.now(), ttl);
            event(action, "DEVICE_ACTION_CREATED", "AWAITING_DATA");
            ObjectNode result = SimulatorHttp.JSON.createObjectNode().put("deviceId", deviceId).put("actionId", action.id())
                    .put("uploadUrl", serverBaseUrl + UPLOAD_PREFIX + "/" + action.uploadToken());
            ObjectNode answer = SimulatorHttp.JSON.createObjectNode();
            answer.putObject("data").set(MUTATION_FIELD, result);
            if (apiFaults.garbles(0)) {
                SimulatorHttp.sendGarbled(exchange, 200, answer); // the action exists all the same
            } else {
                SimulatorHttp.sendJson(exchange, 200, answer);
            }
            return;
        }
        if (query.startsWith("query") && DEVICE_QUERY.matcher(query).find() && query.contains("events")) {
            String actionId = variables.path("actionId").asText("");
            if (deviceId.isEmpty() || actionId.isEmpty()) {
                SimulatorHttp.sendJson(exchange, 200, errors("variables $deviceId and $actionId are required", "BAD_USER_INPUT"));
                return;
            }
            String refused = deviceRefusal(deviceId, current);
            if (refused != null) {
                SimulatorHttp.sendJson(exchange, 200, errors("device " + deviceId + " not found or not in the installation", refused));
                return;
            }
            ArrayNode edges = SimulatorHttp.JSON.createArrayNode();
            store.find(actionId).filter(a -> a.deviceId().equals(deviceId)).ifPresent(a ->
                    eventsByAction.getOrDefault(actionId, List.of()).forEach(e -> edges.addObject().set("node", e.deepCopy())));
            ObjectNode answer = SimulatorHttp.JSON.createObjectNode();
            answer.putObject("data").putObject("device").putObject("events").set("edges", edges);
            SimulatorHttp.sendJson(exchange, 200, answer);
            return;
        }
        SimulatorHttp.sendJson(exchange, 400, errors("unknown operation: the platform knows the upload-URL mutation and the device events query",
                "GRAPHQL_VALIDATION_FAILED"));
    }

    private static String deviceRefusal(String deviceId, YonomiCloudSettings current) {
        if (Pattern.matches(current.unknownDevicePattern(), deviceId)) {
            return "NOT_FOUND";
        }
        return Pattern.matches(current.foreignDevicePattern(), deviceId) ? "FORBIDDEN" : null;
    }

    // ---- the device -----------------------------------------------------------------------

    private void uploaded(DeviceAction pending, byte[] payload) {
        event(pending, "DEVICE_ACTION_UPDATED", "PENDING");
        try {
            scheduler.schedule(() -> process(pending, payload), settings.processingDelay().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: stays PENDING
        }
    }

    private void process(DeviceAction pending, byte[] payload) {
        String problem = Pattern.matches(settings.rejectingDevicePattern(), pending.deviceId()) ? "the lock refused the data"
                : YonomiDataFile.problem(payload);
        DeviceAction done;
        if (problem == null) {
            JsonNode file = SimulatorHttp.parseJsonOrNull(payload);
            store.apply(pending.deviceId(), (ArrayNode) file.get("credentials"), (ArrayNode) file.get("schedules"), Times.now());
            done = store.finish(pending.id(), ActionStatus.RESOLVED, null, Times.now());
        } else {
            done = store.finish(pending.id(), ActionStatus.REJECTED, problem, Times.now());
        }
        event(done, "DEVICE_ACTION_UPDATED", done.status().name());
    }

    /** Records an event of the action (the events query lists it) and posts it to the webhook. */
    private void event(DeviceAction action, String type, String status) {
        ObjectNode node = SimulatorHttp.JSON.createObjectNode().put("id", HexIds.random(32)).put("eventType", type)
                .put("actionId", action.id()).put("actionStatus", status).put("createdAt", Times.format(Times.now()));
        eventsByAction.computeIfAbsent(action.id(), k -> new CopyOnWriteArrayList<>()).add(node);
        YonomiCloudSettings current = settings;
        ObjectNode message = node.deepCopy().put("installationId", current.installationId()).put("deviceId", action.deviceId())
                .put("traitName", "CredentialsAndSchedulesV1");
        webhooks.send(message, current);
    }

    // ---- helpers --------------------------------------------------------------------------

    private static ObjectNode errors(String message, String code) {
        ObjectNode body = SimulatorHttp.JSON.createObjectNode();
        body.putNull("data");
        ObjectNode error = body.putArray("errors").addObject().put("message", message);
        error.putArray("path");
        error.putObject("extensions").put("code", code);
        return body;
    }

    private static void oauthError(HttpExchange exchange, int status, String error) throws IOException {
        SimulatorHttp.sendJson(exchange, status, SimulatorHttp.JSON.createObjectNode().put("error", error));
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new ConcurrentHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        webhooks.close();
    }
}
