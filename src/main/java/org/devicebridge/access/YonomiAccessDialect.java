package org.devicebridge.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.devicebridge.cloud.CloudCall;
import org.devicebridge.cloud.CloudResponse;
import org.devicebridge.cloud.LenientJson;
import org.devicebridge.ledger.CommandRecord;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Yonomi Platform's GraphQL dialect of the access cloud ({@code bridge.access.dialect=yonomi}):
 * <ul>
 *   <li>every call is a {@code POST {base-url}/graphql} of {@code {"query", "variables"}}, with an
 *       OAuth2 client-credentials token ({@link AccessTokens}) and the installation header;</li>
 *   <li>create: the upload-URL mutation (a document in a file), answered with {@code actionId} and
 *       {@code uploadUrl}; the action is then {@code AWAITING_DATA};</li>
 *   <li>poll: the action-events query; the status is the {@code actionStatus} of the action's
 *       latest {@code DEVICE_ACTION_UPDATED} event, {@code AWAITING_DATA} while there is none;</li>
 *   <li>webhooks: {@code {"id", "eventType", "actionId", "actionStatus", ...}}; events of other
 *       types are acknowledged and ignored.</li>
 * </ul>
 * GraphQL answers a domain error with HTTP 200 and an {@code errors} array; {@link #read} gives it
 * the HTTP status it means, so the adapter decides as for any answer: {@code NOT_FOUND} 404 (an
 * unknown device fails the command, naming it), {@code FORBIDDEN} 403, {@code BAD_USER_INPUT} 400,
 * {@code UNAUTHENTICATED} 401, {@code INTERNAL} 503 (retried with backoff), any other code 422.
 * A {@code 401} renews the token and makes the call once more ({@link #renewAndRepeat}); a second
 * {@code 401} fails the command, saying so.
 * <p>
 * A create whose answer was lost is not looked up (the platform has no list of a device's
 * actions): another upload URL is requested; the first action never gets data, so changes nothing.
 */
public class YonomiAccessDialect implements AccessDialect {

    public static final String NAME = "yonomi";
    public static final String ACTION_UPDATED = "DEVICE_ACTION_UPDATED";
    /** Set by a prepare that got no token: the call is not made (routes/engine/two-step-action.yaml), this is its answer. */
    static final String NOT_MADE = "accessCallNotMade";
    private static final String TOKEN = "bridge.yonomi.token";
    private static final String BODY = "bridge.yonomi.body";
    private static final String RENEWED = "bridge.yonomi.renewed";
    private static final Map<String, Integer> ERROR_STATUS = Map.of(
            "NOT_FOUND", 404,          // unknown device (or action)
            "FORBIDDEN", 403,          // the device is not in the installation
            "BAD_USER_INPUT", 400,
            "UNAUTHENTICATED", 401,
            "INTERNAL", 503);          // transient: retried with backoff
    private static final int UNKNOWN_ERROR_STATUS = 422;

    private final String graphqlUrl;
    private final String installationHeader;
    private final String installationId;
    private final GraphQlDocument uploadUrlMutation;
    private final GraphQlDocument actionEventsQuery;
    private final AccessTokens tokens;
    private final CloudCall call;
    private final ObjectMapper mapper;

    public YonomiAccessDialect(String baseUrl, String installationHeader, String installationId, GraphQlDocument uploadUrlMutation,
                               GraphQlDocument actionEventsQuery, AccessTokens tokens, CloudCall call, ObjectMapper mapper) {
        this.graphqlUrl = (baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl) + "/graphql";
        this.installationHeader = installationHeader;
        this.installationId = installationId;
        this.uploadUrlMutation = uploadUrlMutation;
        this.actionEventsQuery = actionEventsQuery;
        this.tokens = tokens;
        this.call = call;
        this.mapper = mapper;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void prepareCreate(Exchange exchange, CommandRecord c) {
        graphql(exchange, uploadUrlMutation, Map.of("deviceId", c.device()));
    }

    @Override
    public Reading<ActionView> readCreated(CloudResponse r) {
        JsonNode result = result(r);
        if (result == null) {
            return Reading.unreadable(LenientJson.whyUnreadable(r.body()));
        }
        String actionId = result.path("actionId").asText("");
        String uploadUrl = result.path("uploadUrl").asText("");
        if (actionId.isBlank() || uploadUrl.isBlank()) {
            return Reading.unreadable("the answer has no actionId or uploadUrl");
        }
        return Reading.of(new ActionView(actionId, "AWAITING_DATA", uploadUrl, null, null));
    }

    @Override
    public boolean findsLostCreates() {
        return false;
    }

    @Override
    public void prepareFind(Exchange exchange, CommandRecord c) {
        throw new UnsupportedOperationException("the Yonomi dialect does not look lost creates up");
    }

    @Override
    public Reading<List<ActionView>> readFound(CloudResponse r) {
        throw new UnsupportedOperationException("the Yonomi dialect does not look lost creates up");
    }

    @Override
    public void preparePoll(Exchange exchange, CommandRecord c) {
        graphql(exchange, actionEventsQuery, Map.of("deviceId", c.device(), "actionId", c.vendorRef()));
    }

    @Override
    public Reading<ActionView> readPolled(CloudResponse r) {
        JsonNode device = result(r);
        JsonNode edges = device == null ? null : device.path("events").path("edges");
        if (edges == null || !edges.isArray()) {
            return Reading.unreadable(device == null ? LenientJson.whyUnreadable(r.body()) : "the answer has no events.edges list");
        }
        String actionId = null;
        String status = "AWAITING_DATA";
        Instant latest = Instant.MIN;
        for (JsonNode edge : edges) {
            JsonNode node = edge.path("node");
            if (!ACTION_UPDATED.equals(node.path("eventType").asText()) || node.path("actionStatus").asText("").isBlank()) {
                continue;
            }
            Instant at = instant(node.path("createdAt").asText(""));
            if (!at.isBefore(latest)) { // newest last; equal times: the later in the list
                latest = at;
                status = node.path("actionStatus").asText();
                actionId = node.path("actionId").asText(null);
            }
        }
        return Reading.of(new ActionView(actionId, status, null, null,
                "REJECTED".equals(status) ? "the device rejected the data" : null));
    }

    @Override
    public CloudResponse read(Exchange exchange) {
        CloudResponse notMade = exchange.getProperty(NOT_MADE, CloudResponse.class);
        if (notMade != null) {
            return notMade;
        }
        CloudResponse r = call.read(exchange);
        if (r.status() != null && r.status() == 401) {
            return withError(r, 401, "UNAUTHENTICATED", Boolean.TRUE.equals(exchange.getProperty(RENEWED, Boolean.class))
                    ? "the access token was refused again after renewing it once; check bridge.access.client-id, "
                    + "bridge.access.client-secret, bridge.access.token-url and the installation"
                    : "the access token was refused");
        }
        JsonNode body = r.status() == null ? null : LenientJson.strict(mapper, r.body()).orElse(null);
        JsonNode errors = body == null ? null : body.path("errors");
        if (errors == null || !errors.isArray() || errors.isEmpty()) {
            return r;
        }
        JsonNode first = errors.get(0);
        String code = first.path("extensions").path("code").asText("");
        // a 200 with errors: the status the code means; any other status stands, with the error's words
        int status = r.ok() ? ERROR_STATUS.getOrDefault(code, UNKNOWN_ERROR_STATUS) : r.status();
        return withError(r, status, code.isEmpty() ? "error" : code, first.path("message").asText("no message"));
    }

    @Override
    public boolean renewAndRepeat(Exchange exchange) {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status == null || status != 401 || exchange.getProperty(RENEWED) != null || exchange.getProperty(TOKEN) == null) {
            return false;
        }
        exchange.setProperty(RENEWED, true);
        String token;
        try {
            token = tokens.renew(exchange.getProperty(TOKEN, String.class));
        } catch (AccessTokens.Unavailable e) {
            exchange.setProperty(NOT_MADE, e.answer());
            return false;
        }
        send(exchange, token, exchange.getProperty(BODY, String.class));
        return true;
    }

    @Override
    public String eventId(String body) {
        return LenientJson.read(mapper, body).path("id").asText("");
    }

    @Override
    public Optional<ActionView> webhookUpdate(String body) {
        JsonNode event = LenientJson.read(mapper, body);
        if (!ACTION_UPDATED.equals(event.path("eventType").asText()) || event.path("actionId").asText("").isBlank()) {
            return Optional.empty(); // DEVICE_ACTION_CREATED, DEVICE_STATE_UPDATED, ...: acknowledged, ignored
        }
        String status = event.path("actionStatus").asText(null);
        return Optional.of(new ActionView(event.path("actionId").asText(), status, null, null,
                "REJECTED".equals(status) ? "the device rejected the data" : null));
    }

    // ------------------------------------------------------------- the GraphQL call

    /** {@code {"query": document, "variables": {name: value}}}, with a token and the installation header. */
    private void graphql(Exchange exchange, GraphQlDocument document, Map<String, String> variables) {
        exchange.removeProperty(NOT_MADE);
        exchange.removeProperty(RENEWED);
        exchange.removeProperty(TOKEN);
        ObjectNode body = mapper.createObjectNode().put("query", document.text());
        ObjectNode bound = body.putObject("variables");
        variables.forEach(bound::put);
        String json = body.toString();
        exchange.setProperty(BODY, json);
        String token;
        try {
            token = tokens.token();
        } catch (AccessTokens.Unavailable e) {
            call.prepare(exchange, "POST", graphqlUrl, null, null); // starts the clock; nothing is sent (the route checks NOT_MADE)
            exchange.setProperty(NOT_MADE, e.answer());
            return;
        }
        send(exchange, token, json);
    }

    private void send(Exchange exchange, String token, String json) {
        call.prepare(exchange, "POST", graphqlUrl, token, json);
        exchange.getIn().setHeader(installationHeader, installationId);
        exchange.setProperty(TOKEN, token);
    }

    /** The value of the answer's one result field ({@code data.<field>}), or null when there is none. */
    private JsonNode result(CloudResponse r) {
        JsonNode data = LenientJson.strict(mapper, r.body()).map(b -> b.path("data")).orElse(null);
        if (data == null || !data.isObject()) {
            return null;
        }
        Iterator<JsonNode> fields = data.elements();
        JsonNode first = fields.hasNext() ? fields.next() : null;
        return first == null || !first.isObject() ? null : first;
    }

    /** The answer with {@code status} and a body the adapters read ({@code type}, {@code message}). */
    private CloudResponse withError(CloudResponse r, int status, String code, String message) {
        String body = mapper.createObjectNode().put("type", "GraphQL " + code).put("message", message).toString();
        return new CloudResponse(status, body, r.requestId(), r.retryAfter(), r.ioError(), r.durationMs());
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return Instant.MIN;
        }
    }
}
