package org.devicebridge.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.sun.net.httpserver.HttpExchange;
import org.slf4j.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Small HTTP and JSON helpers shared by the simulated clouds.
 *
 * <p>All JSON goes through one strict {@link ObjectMapper} (trailing tokens after a document
 * are an error). Error bodies follow the device-management error model:
 * {@code {"object":"error","code":..,"type":..,"message":..,"fields":[..],"request_id":..}}.
 */
public final class SimulatorHttp {

    /** Response header that carries the request id on every response. */
    public static final String REQUEST_ID_HEADER = "X-Request-ID";

    /** Shared, thread-safe JSON mapper. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final String REQUEST_ID_ATTRIBUTE = "org.devicebridge.simulator.request-id";
    private static final String JSON_CONTENT_TYPE = "application/json";
    private static final String BEARER_SCHEME = "Bearer ";

    private SimulatorHttp() {
    }

    /** Gives the exchange a fresh request id and sets the {@code X-Request-ID} header. */
    static void assignRequestId(HttpExchange exchange) {
        String id = HexIds.random(32);
        exchange.setAttribute(REQUEST_ID_ATTRIBUTE, id);
        exchange.getResponseHeaders().set(REQUEST_ID_HEADER, id);
    }

    /**
     * The request id the server assigned to this exchange.
     *
     * @param exchange an exchange received through {@link SimulatorServer}
     * @return 32 lower-case hexadecimal characters
     */
    public static String requestId(HttpExchange exchange) {
        Object id = exchange.getAttribute(REQUEST_ID_ATTRIBUTE);
        return id == null ? "" : id.toString();
    }

    /** Reads the whole request body. */
    public static byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return in.readAllBytes();
        }
    }

    /**
     * The request path below a mount prefix, still percent-encoded, e.g. {@code /v1/x} for
     * {@code /access/v1/x} under prefix {@code /access}; empty for the prefix itself.
     */
    public static String pathBelow(HttpExchange exchange, String prefix) {
        String raw = exchange.getRequestURI().getRawPath();
        return raw.length() <= prefix.length() ? "" : raw.substring(prefix.length());
    }

    /**
     * Throws {@code refusal(rawPath)} (the full raw path, never the query) unless the request path
     * below {@code prefix} is exactly {@code path}.
     */
    public static <E extends Exception> void requirePath(HttpExchange exchange, String prefix, String path,
                                                         Function<String, E> refusal) throws E {
        if (!pathBelow(exchange, prefix).equals(path)) {
            throw refusal.apply(exchange.getRequestURI().getRawPath());
        }
    }

    /** Throws {@code refusal(method, allowed)} unless the request method is {@code allowed}. */
    public static <E extends Exception> void requireMethod(HttpExchange exchange, String allowed,
                                                           BiFunction<String, String, E> refusal) throws E {
        String method = exchange.getRequestMethod();
        if (!method.equals(allowed)) {
            throw refusal.apply(method, allowed);
        }
    }

    /** Percent-decodes one path segment ({@code +} stays a plus sign). */
    public static String decodeSegment(String rawSegment) {
        return URLDecoder.decode(rawSegment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /**
     * Decoded query parameters in their order of appearance; a parameter without {@code =}
     * gets the empty value.
     */
    public static Map<String, List<String>> queryParameters(HttpExchange exchange) {
        Map<String, List<String>> result = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return result;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            result.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return result;
    }

    /** True when the request's {@code Content-Type} is {@code application/json} (any parameters). */
    public static boolean hasJsonContentType(HttpExchange exchange) {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null) {
            return false;
        }
        String mediaType = type.split(";", 2)[0].trim();
        return mediaType.equalsIgnoreCase(JSON_CONTENT_TYPE);
    }

    /** Sends a JSON body with the given status. */
    public static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = toBytes(body);
        exchange.getResponseHeaders().set("Content-Type", JSON_CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * Sends a {@code 2xx} whose body was cut short on its way: the first half of {@code body} (of an
     * empty answer, the start of a JSON object), with a matching {@code Content-Length}, so the
     * HTTP exchange completes and only the body cannot be read.
     */
    public static void sendGarbled(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] whole = body == null ? new byte[0] : toBytes(body);
        byte[] cut = whole.length < 2 ? "{\"status\":\"rec".getBytes(StandardCharsets.UTF_8)
                : java.util.Arrays.copyOf(whole, whole.length / 2);
        exchange.getResponseHeaders().set("Content-Type", JSON_CONTENT_TYPE);
        exchange.sendResponseHeaders(status, cut.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(cut);
        }
    }

    /** Sends a response without a body. */
    public static void sendEmpty(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
    }

    /** Sends the standard error body without field errors. */
    public static void sendError(HttpExchange exchange, int status, String type, String message)
            throws IOException {
        sendError(exchange, status, type, message, Map.of());
    }

    /**
     * Sends the standard error body.
     *
     * @param fields field name to field message, in the order to report them
     */
    public static void sendError(HttpExchange exchange, int status, String type, String message,
                                 Map<String, String> fields) throws IOException {
        sendJson(exchange, status, errorBody(status, type, message, fields, requestId(exchange)));
    }

    /** Builds the standard error body. */
    public static ObjectNode errorBody(int status, String type, String message,
                                       Map<String, String> fields, String requestId) {
        ObjectNode body = JSON.createObjectNode()
                .put("object", "error")
                .put("code", status)
                .put("type", type)
                .put("message", message);
        ArrayNode fieldArray = body.putArray("fields");
        fields.forEach((name, text) -> fieldArray.addObject().put("name", name).put("message", text));
        body.put("request_id", requestId);
        return body;
    }

    /** How an {@code Authorization: Bearer <token>} header compares with the expected token. */
    public enum Bearer {
        /** The header carries the expected token. */
        VALID,
        /** No {@code Authorization} header, or a blank one. */
        MISSING,
        /** Not {@code Bearer <something>} (the scheme is matched case-insensitively). */
        MALFORMED,
        /** A bearer token other than the expected one. */
        WRONG
    }

    /**
     * Checks the request's {@code Authorization: Bearer <token>} header in constant time; the
     * answer never holds what the client sent.
     */
    public static Bearer checkBearer(HttpExchange exchange, String token) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || header.isBlank()) {
            return Bearer.MISSING;
        }
        if (header.length() <= BEARER_SCHEME.length()
                || !header.regionMatches(true, 0, BEARER_SCHEME, 0, BEARER_SCHEME.length())) {
            return Bearer.MALFORMED;
        }
        return sameSecret(header.substring(BEARER_SCHEME.length()).trim(), token) ? Bearer.VALID : Bearer.WRONG;
    }

    /** Compares a secret the client sent with the expected one in constant time (UTF-8 bytes). */
    public static boolean sameSecret(String given, String expected) {
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    /** The body as JSON, or {@code null} when it is empty or not (strictly) JSON. */
    public static JsonNode parseJsonOrNull(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** The body as a cloud records it: the parsed JSON, or a text node holding a body that is not JSON. */
    public static JsonNode asRecorded(JsonNode parsed, byte[] body) {
        return parsed == null ? TextNode.valueOf(new String(body, StandardCharsets.UTF_8)) : parsed;
    }

    /** Sleeps {@code latency} (returns at once for zero); an interrupt ends the sleep and stays set. */
    public static void pause(Duration latency) {
        if (latency.isZero()) {
            return;
        }
        try {
            Thread.sleep(latency.toMillis(), latency.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A cloud call that answers one JSON body with {@code 200}, or throws the cloud's error answer. */
    @FunctionalInterface
    public interface JsonCall {
        /** Handles the request; must not send anything itself. */
        JsonNode call() throws SimulatorApiException;
    }

    /**
     * Runs {@code call}, logs method, path (never the query), status and request id at debug level,
     * sleeps {@code latency}, then sends the answer: {@code 200} with the call's body, or the error's
     * status, headers and body.
     *
     * @param log   the cloud's logger
     * @param cloud the cloud's name in the log line, e.g. {@code "home cloud"}
     */
    public static void answerJson(HttpExchange exchange, Duration latency, Logger log, String cloud, JsonCall call)
            throws IOException {
        answerJson(exchange, latency, log, cloud, () -> false, call);
    }

    /**
     * {@link #answerJson(HttpExchange, Duration, Logger, String, JsonCall)}, and a {@code 200} goes
     * out cut short ({@link #sendGarbled}) when {@code garble} says so: the call took effect all the same.
     */
    public static void answerJson(HttpExchange exchange, Duration latency, Logger log, String cloud, BooleanSupplier garble,
                                  JsonCall call) throws IOException {
        String requestId = requestId(exchange);
        int status;
        JsonNode answer;
        try {
            answer = call.call();
            status = 200;
        } catch (SimulatorApiException e) {
            e.setHeaders(exchange);
            status = e.status();
            answer = e.body(requestId);
        }
        boolean garbled = status == 200 && garble.getAsBoolean();
        log.debug("{}: {} {} -> {}{} (request {})", cloud, exchange.getRequestMethod(),
                exchange.getRequestURI().getRawPath(), status, garbled ? " garbled" : "", requestId);
        pause(latency);
        if (garbled) {
            sendGarbled(exchange, status, answer);
        } else {
            sendJson(exchange, status, answer);
        }
    }

    /** Serialises a JSON tree to UTF-8 bytes. */
    public static byte[] toBytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise JSON", e);
        }
    }
}
