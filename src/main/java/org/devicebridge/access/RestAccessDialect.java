package org.devicebridge.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.devicebridge.cloud.CloudCall;
import org.devicebridge.cloud.CloudResponse;
import org.devicebridge.cloud.LenientJson;
import org.devicebridge.ledger.CommandRecord;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The access cloud's REST dialect ({@code bridge.access.dialect=rest}): {@code POST
 * /v1/devices/{id}/actions}, {@code GET /v1/device-actions/{id}}, the device's actions awaiting
 * data for lost creates, an API key as bearer token, and signed webhook events
 * {@code {"event_id", "data": {action}}}.
 */
public class RestAccessDialect implements AccessDialect {

    public static final String NAME = "rest";
    public static final String ACTION_TYPE = "UPDATE_CREDENTIALS_AND_SCHEDULES";

    private final String baseUrl;
    private final String apiKey;
    private final CloudCall call;
    private final ObjectMapper mapper;

    public RestAccessDialect(String baseUrl, String apiKey, CloudCall call, ObjectMapper mapper) {
        this.baseUrl = baseUrl == null ? "" : baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.apiKey = apiKey;
        this.call = call;
        this.mapper = mapper;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void prepareCreate(Exchange exchange, CommandRecord c) {
        call.prepare(exchange, "POST", baseUrl + "/v1/devices/" + encode(c.device()) + "/actions", apiKey,
                mapper.createObjectNode().put("type", ACTION_TYPE).toString());
    }

    @Override
    public Reading<ActionView> readCreated(CloudResponse r) {
        JsonNode action = strictJson(r.body());
        if (action == null) {
            return Reading.unreadable(LenientJson.whyUnreadable(r.body()));
        }
        return usable(action) ? Reading.of(view(action)) : Reading.unreadable("the action has no id or upload_url");
    }

    @Override
    public boolean findsLostCreates() {
        return true;
    }

    @Override
    public void prepareFind(Exchange exchange, CommandRecord c) {
        String since = c.updatedAt().minus(Duration.ofMinutes(2)).toString();
        call.prepare(exchange, "GET", baseUrl + "/v1/device-actions?device_id__eq=" + encode(c.device())
                + "&status__eq=AWAITING_DATA&created_at__gte=" + encode(since) + "&order=DESC&limit=10", apiKey, null);
    }

    @Override
    public Reading<List<ActionView>> readFound(CloudResponse r) {
        JsonNode list = strictJson(r.body());
        if (list == null) {
            return Reading.unreadable(LenientJson.whyUnreadable(r.body()));
        }
        if (!list.path("data").isArray()) {
            return Reading.unreadable("no data list");
        }
        List<ActionView> found = new ArrayList<>();
        for (JsonNode action : list.path("data")) {
            String id = action.path("id").asText(null);
            if (id == null || id.isBlank() || !ACTION_TYPE.equals(action.path("type").asText(ACTION_TYPE))) {
                continue;
            }
            found.add(view(action));
        }
        return Reading.of(found);
    }

    @Override
    public void preparePoll(Exchange exchange, CommandRecord c) {
        call.prepare(exchange, "GET", baseUrl + "/v1/device-actions/" + encode(c.vendorRef()), apiKey, null);
    }

    @Override
    public Reading<ActionView> readPolled(CloudResponse r) {
        JsonNode action = strictJson(r.body());
        if (action == null) {
            return Reading.unreadable(LenientJson.whyUnreadable(r.body()));
        }
        return action.path("status").asText("").isBlank() ? Reading.unreadable("the action has no status") : Reading.of(view(action));
    }

    @Override
    public boolean readsBack() {
        return true;
    }

    /** GET /v1/devices/{id}/credentials-and-schedules: what the device holds, as applied. */
    @Override
    public void prepareReadBack(Exchange exchange, CommandRecord c) {
        call.prepare(exchange, "GET", baseUrl + "/v1/devices/" + encode(c.device()) + "/credentials-and-schedules", apiKey, null);
    }

    @Override
    public CloudResponse read(Exchange exchange) {
        return call.read(exchange);
    }

    /** An API key is not renewed: a 401 stands. */
    @Override
    public boolean renewAndRepeat(Exchange exchange) {
        return false;
    }

    @Override
    public String eventId(String body) {
        return LenientJson.read(mapper, body).path("event_id").asText("");
    }

    @Override
    public Optional<ActionView> webhookUpdate(String body) {
        JsonNode data = LenientJson.read(mapper, body).path("data");
        return data.hasNonNull("id") ? Optional.of(view(data)) : Optional.empty();
    }

    /** Whether an action object names what the upload needs: its id and upload URL. */
    private static boolean usable(JsonNode action) {
        return !action.path("id").asText("").isBlank() && !action.path("upload_url").asText("").isBlank();
    }

    private static ActionView view(JsonNode action) {
        return new ActionView(action.path("id").asText(null), action.path("status").asText(null),
                action.path("upload_url").asText(null), action.path("upload_url_expires_at").asText(null),
                action.path("reason").asText(null));
    }

    private JsonNode strictJson(String text) {
        return LenientJson.strict(mapper, text).orElse(null);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
