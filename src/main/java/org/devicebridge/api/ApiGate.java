package org.devicebridge.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.devicebridge.cloud.Redactor;
import org.devicebridge.console.ConsoleSessions;
import org.devicebridge.ledger.LedgerUnavailable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The door of the bridge's API (the API conventions, docs/cloud-contracts.md section 1): gives every call an {@code X-Request-ID},
 * checks its bearer token, takes its parameters and body, drops every request header (so none is
 * echoed back), and writes every answer in the status API's envelope {@code {"code","message","content"}},
 * errors included, never with a stack trace. One log line per call names its request id.
 */
public class ApiGate {

    public static final String CALL = "apiCall";
    /** Exchange property: the anti-forgery token of the console session a call came in with (absent with a bearer token). */
    public static final String CONSOLE_CSRF = "consoleCsrf";
    public static final String UNAUTHORIZED = "Authorization information is missing or invalid.";
    /** The message of a {@code 503} while the ledger database cannot be reached. */
    public static final String LEDGER_UNAVAILABLE = "Service Unavailable: the ledger is unreachable; nothing was taken, retry later";
    /** The {@code Retry-After} of that {@code 503}, in seconds. */
    public static final int LEDGER_RETRY_AFTER_SECONDS = 5;
    private static final List<String> HEADER_PARAMETERS = List.of("id", "Idempotency-Key");
    private static final Logger LOG = LoggerFactory.getLogger(ApiGate.class);

    private final byte[] operatorToken;
    private final byte[] deviceToken;
    private final DeviceTokens deviceTokens;
    private final ObjectMapper mapper;
    private final Redactor redactor;
    private final SecureRandom random = new SecureRandom();
    private volatile ConsoleSessions sessions;

    /** Without per-device tokens. */
    public ApiGate(String operatorToken, String deviceToken, ObjectMapper mapper, Redactor redactor) {
        this(operatorToken, deviceToken, DeviceTokens.none(), mapper, redactor);
    }

    /**
     * @param deviceToken  the token every device may use on the inbox paths (null: none)
     * @param deviceTokens each device's own token, valid on the inbox paths for that device only
     */
    public ApiGate(String operatorToken, String deviceToken, DeviceTokens deviceTokens, ObjectMapper mapper, Redactor redactor) {
        this.operatorToken = bytes(operatorToken);
        this.deviceToken = bytes(deviceToken);
        this.deviceTokens = deviceTokens;
        this.mapper = mapper;
        this.redactor = redactor;
    }

    /** For operator paths: only the API token. */
    public void open(Exchange exchange) {
        enter(exchange, false);
    }

    /** For the device paths (inbox, status reports): the API token, the shared device token or a device's own. */
    public void openForDevice(Exchange exchange) {
        enter(exchange, true);
    }

    /** Answers without a token check (the OpenAPI document). */
    public void openPublic(Exchange exchange) {
        take(exchange);
    }

    /**
     * Lets the operator console's sessions in as the operator (docs/console.md): a call without an
     * {@code Authorization} header that carries a live session's cookie, and, unless it only reads,
     * that session's anti-forgery token.
     */
    public void acceptSessions(ConsoleSessions consoleSessions) {
        this.sessions = consoleSessions;
    }

    /** Is {@code token} the operator token (compared in constant time)? The console's login asks. */
    public boolean isOperatorToken(String token) {
        byte[] given = bytes(token);
        return given != null && operatorToken != null && MessageDigest.isEqual(given, operatorToken);
    }

    /** Every token is compared in constant time, and all of them whichever matches, so timing tells nothing. */
    private void enter(Exchange exchange, boolean deviceAllowed) {
        String authorization = exchange.getIn().getHeader("Authorization", String.class);
        String cookie = exchange.getIn().getHeader("Cookie", String.class);
        String csrf = exchange.getIn().getHeader(ConsoleSessions.CSRF_HEADER, String.class);
        ApiCall call = take(exchange);
        ConsoleSessions consoleSessions = sessions;
        if (authorization == null && consoleSessions != null && cookie != null) {
            String expected = consoleSessions.csrfOf(cookie).orElseThrow(() -> new ApiException(401, UNAUTHORIZED));
            boolean reads = "GET".equals(call.method()) || "HEAD".equals(call.method());
            if (!reads && !ConsoleSessions.sameToken(expected, csrf)) {
                throw new ApiException(403, ConsoleSessions.CSRF_HEADER + ": missing or not this session's; reload the console");
            }
            exchange.setProperty(CALL, call.asOperator());
            exchange.setProperty(CONSOLE_CSRF, expected);
            return;
        }
        byte[] given = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? bytes(authorization.substring(7).trim()) : null;
        if (given == null) {
            throw new ApiException(401, UNAUTHORIZED);
        }
        boolean operator = operatorToken != null && MessageDigest.isEqual(given, operatorToken);
        boolean sharedDevice = deviceToken != null && MessageDigest.isEqual(given, deviceToken);
        String device = deviceTokens.deviceOf(given).orElse(null);
        if (operator) {
            exchange.setProperty(CALL, call.asOperator());
        } else if (deviceAllowed && (sharedDevice || device != null)) {
            exchange.setProperty(CALL, call.asDevice(device));
        } else {
            throw new ApiException(401, UNAUTHORIZED);
        }
    }

    private ApiCall take(Exchange exchange) {
        Message in = exchange.getIn();
        String requestId = newRequestId();
        Map<String, String> parameters = queryParameters(in.getHeader(Exchange.HTTP_QUERY, String.class));
        java.util.Set<String> queryNames = java.util.Set.copyOf(parameters.keySet());
        for (String name : HEADER_PARAMETERS) { // the path's {id} and the Idempotency-Key header
            String value = in.getHeader(name, String.class);
            if (value != null) {
                parameters.put(name, value);
            }
        }
        ApiCall call = new ApiCall(requestId, in.getHeader(Exchange.HTTP_METHOD, String.class),
                in.getHeader(Exchange.HTTP_PATH, in.getHeader(Exchange.HTTP_URI, String.class), String.class), parameters,
                queryNames, in.getHeader(Exchange.CONTENT_TYPE, String.class), bodyBytes(in));
        in.removeHeaders("*");
        in.setHeader("X-Request-ID", requestId);
        exchange.setProperty(CALL, call);
        return call;
    }

    /**
     * The query string's parameters (only there: a request header of the same name is not a
     * parameter); a repeated one ({@code ?device=a&device=b}) reads as {@code a,b}.
     */
    static Map<String, String> queryParameters(String query) {
        Map<String, String> parameters = new HashMap<>();
        if (query == null || query.isEmpty()) {
            return parameters;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            parameters.merge(name, value, (a, b) -> a + "," + b);
        }
        return parameters;
    }

    /** The body as bytes; empty when there is none, or when it is no bytes yet (a request body still unread). */
    private static byte[] bodyBytes(Message in) {
        try {
            byte[] body = in.getBody(byte[].class);
            return body == null ? new byte[0] : body;
        } catch (RuntimeException e) {
            return new byte[0];
        }
    }

    private byte[] nextBytes() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return b;
    }

    /** Writes a successful answer: {@code {"code":0,"message":..,"content":..}}. */
    public void respond(Exchange exchange, int status, String message, Object content) {
        ObjectNode envelope = mapper.createObjectNode().put("code", 0).put("message", message);
        // a tree is set as it is: valueToTree would write it out and read it back, a full copy of every page
        envelope.set("content", content instanceof com.fasterxml.jackson.databind.JsonNode tree ? tree : mapper.valueToTree(content));
        write(exchange, status, envelope);
    }

    /** Writes its value into an answer's {@code content}: one JSON value, straight to the answer's bytes. */
    @FunctionalInterface
    public interface Content {
        void write(com.fasterxml.jackson.core.JsonGenerator g) throws java.io.IOException;
    }

    /**
     * Writes a successful answer, {@code {"code":0,"message":..,"content":..}}, with the content
     * written by {@code content} straight into the answer's UTF-8 bytes (no tree, no text in
     * between); the body is those bytes as a {@link java.nio.ByteBuffer}, which the HTTP server
     * sends as they are.
     */
    public void respond(Exchange exchange, int status, String message, Content content) {
        Bytes out = new Bytes();
        try (com.fasterxml.jackson.core.JsonGenerator g = mapper.getFactory().createGenerator(out, com.fasterxml.jackson.core.JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeNumberField("code", 0);
            g.writeStringField("message", message);
            g.writeFieldName("content");
            content.write(g);
            g.writeEndObject();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        write(exchange, status, "application/json", out.buffer());
    }

    /** An output stream whose bytes are handed on without a copy. */
    private static final class Bytes extends java.io.ByteArrayOutputStream {
        Bytes() {
            super(8192);
        }

        java.nio.ByteBuffer buffer() {
            return java.nio.ByteBuffer.wrap(buf, 0, count);
        }
    }

    /** Writes a successful answer with a {@code Location} header (e.g. {@code 202} and where its progress is). */
    public void respond(Exchange exchange, int status, String message, Object content, String location) {
        respond(exchange, status, message, content);
        exchange.getMessage().setHeader("Location", location);
    }

    /** Writes an answer that is not an envelope (the OpenAPI document). */
    public void respondRaw(Exchange exchange, int status, String contentType, String body) {
        write(exchange, status, contentType, body);
    }

    /** Writes an answer without a body (e.g. {@code 204} to a webhook). */
    public void respondEmpty(Exchange exchange, int status) {
        write(exchange, status, null, null);
    }

    /**
     * The route's error handler: an {@link ApiException} as its status; the ledger unreachable as
     * {@code 503} with {@code Retry-After} (nothing was taken: the caller sends it again later);
     * anything else as 500, logged, without details.
     */
    public void failed(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (exchange.getProperty(CALL) == null) {
            take(exchange);
        }
        ApiCall call = exchange.getProperty(CALL, ApiCall.class);
        if (!(e instanceof ApiException) && LedgerUnavailable.causedBy(e)) {
            // one line, no stack trace: the cause is outside the bridge, and the caller is told to come back
            LOG.warn("api {} {}: request id {}: the ledger is unreachable ({}); answered 503, retry after {} s", call.method(),
                    call.path(), call.requestId(), redactor.text(String.valueOf(rootCause(e))), LEDGER_RETRY_AFTER_SECONDS);
            refuse(exchange, 503, LEDGER_UNAVAILABLE);
            exchange.getMessage().setHeader("Retry-After", String.valueOf(LEDGER_RETRY_AFTER_SECONDS));
            return;
        }
        int status = e instanceof ApiException api ? api.status() : 500;
        String message = e instanceof ApiException ? e.getMessage() : internalError(call.requestId());
        if (status == 500) {
            LOG.error("api {} {}: request id {}: {}", call.method(), call.path(), call.requestId(), redactor.text(String.valueOf(e)));
        }
        List<ApiException.FieldProblem> fields = e instanceof ApiException api ? api.fields() : List.of();
        write(exchange, status, "application/json", errorEnvelope(status, errorType(status, fields), message, fields, call.requestId()));
    }

    /** Writes an error answer (see {@link #errorEnvelope(int, String, String, List, String)}). */
    public void refuse(Exchange exchange, int status, String message) {
        if (exchange.getProperty(CALL) == null) {
            take(exchange);
        }
        write(exchange, status, "application/json", errorEnvelope(status, message, exchange.getProperty(CALL, ApiCall.class).requestId()));
    }

    /** A new request id: 32 lower-case hex characters (the API conventions allow at most 32). */
    public String newRequestId() {
        return HexFormat.of().formatHex(nextBytes());
    }

    /** The error body of {@code status} with the usual type for it and no fields. */
    public String errorEnvelope(int status, String message, String requestId) {
        return errorEnvelope(status, errorType(status, List.of()), message, List.of(), requestId);
    }

    /**
     * The error body as JSON text: the API's envelope ({@code code} the HTTP status,
     * {@code message}, {@code content} null) with the common error model
     * ({@code "object":"error"}, {@code type}, {@code fields} naming each parameter or field at
     * fault, {@code request_id}); every message redacted.
     */
    public String errorEnvelope(int status, String type, String message, List<ApiException.FieldProblem> fields, String requestId) {
        ObjectNode envelope = mapper.createObjectNode().put("object", "error").put("code", status).put("type", type)
                .put("message", redactor.text(message));
        var list = envelope.putArray("fields");
        fields.forEach(f -> list.addObject().put("name", redactor.text(f.name())).put("message", redactor.text(f.message())));
        envelope.putNull("content");
        envelope.put("request_id", requestId);
        return envelope.toString();
    }

    /** The error's {@code type} word for its status: {@code validation_error} when parameters or fields are named. */
    public static String errorType(int status, List<ApiException.FieldProblem> fields) {
        return switch (status) {
            case 400 -> fields.isEmpty() ? "bad_request" : "validation_error";
            case 401 -> "invalid_auth";
            case 403 -> "access_denied";
            case 404 -> "not_found";
            case 405 -> "method_not_supported";
            case 408 -> "request_timeout";
            case 409 -> "conflict";
            case 413 -> "payload_too_large";
            case 422 -> "unprocessable_entity";
            case 503 -> "service_unavailable";
            default -> status >= 500 ? "internal_server_error" : "bad_request";
        };
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** The message of a {@code 500}: nothing but the request id the cause is logged under. */
    public static String internalError(String requestId) {
        return "Internal server error (request id " + requestId + ")";
    }

    private void write(Exchange exchange, int status, ObjectNode envelope) {
        write(exchange, status, "application/json", envelope.toString());
    }

    private void write(Exchange exchange, int status, String contentType, Object body) {
        ApiCall call = exchange.getProperty(CALL, ApiCall.class);
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader("X-Request-ID", call.requestId());
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (contentType != null) {
            out.setHeader(Exchange.CONTENT_TYPE, contentType);
        }
        out.setBody(body);
        LOG.info("api {} {} -> {} (request id {})", call.method(), call.path(), status, call.requestId());
    }

    private static byte[] bytes(String s) {
        return s == null || s.isBlank() ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
