package org.devicebridge.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.devicebridge.cloud.LenientJson;
import org.devicebridge.inbox.CommandActionPlanner;
import org.devicebridge.inbox.CommandInbox;
import org.devicebridge.intake.ActionIntake;
import org.devicebridge.intake.BatchReader;
import org.devicebridge.intake.IntakePipeline;
import org.devicebridge.ledger.CommandRecord;
import org.devicebridge.ledger.CommandQuery;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.ledger.IntakeWriter;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerTransitions;
import org.devicebridge.ledger.LedgerTransitions.Requester;
import org.devicebridge.ledger.RequestCounts;
import org.devicebridge.ledger.RequestRecord;
import org.devicebridge.ledger.StateChange;
import org.devicebridge.ledger.Transition;
import org.devicebridge.results.CommandView;

import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The bridge's status API over the ledger (docs/cloud-contracts.md section 5): list and follow
 * every command of every kind, change a command's state (device reports, cancel), let devices pull
 * their queued commands, and submit batches over HTTP. Each method is one endpoint; parameters and
 * answers go through {@link ApiGate}.
 */
public class StatusApi {

    /** The states a PUT may ask for (docs/cloud-contracts.md section 5). */
    static final Set<CommandState> PUT_STATES = EnumSet.of(CommandState.ACKNOWLEDGED, CommandState.IN_PROGRESS,
            CommandState.TIMEOUT, CommandState.SUCCESS, CommandState.FAILURE, CommandState.SCHEDULED, CommandState.CANCELLED);
    private static final Pattern COMMAND_ID = Pattern.compile("[0-9a-fA-F-]{36}");
    private static final int MAX_REQUEST_ID = 200;   // bridge_request.id VARCHAR(200)

    private final CommandStore commandStore;
    private final LedgerReads reads;
    private final LedgerTransitions transitions;
    private final CommandInbox inbox;
    private final ActionIntake intake;
    private final CommandView view;
    private final ApiGate gate;
    private final ObjectMapper mapper;

    public StatusApi(CommandStore commandStore, LedgerReads reads, LedgerTransitions transitions, CommandInbox inbox, ActionIntake intake,
                     CommandView view, ApiGate gate, ObjectMapper mapper) {
        this.commandStore = commandStore;
        this.reads = reads;
        this.transitions = transitions;
        this.inbox = inbox;
        this.intake = intake;
        this.view = view;
        this.gate = gate;
        this.mapper = mapper;
    }

    /**
     * {@code GET /commands/v0/status/}: a page of commands, filtered. Takes both the list
     * parameters of the bridge's own API ({@code request}, {@code device}, {@code state},
     * {@code exclude_internal_commands}, {@code offset}) and the common ones ({@code limit},
     * {@code after}, {@code order}, {@code include=total_count}, {@code <field>__<operator>});
     * see {@link ListParameters}. Each page is one query of the ledger (and a count for its total), written straight to the answer's bytes.
     */
    public void list(Exchange exchange) {
        ApiCall call = call(exchange);
        CommandQuery query = ListParameters.read(call);
        LedgerReads.Page<LedgerReads.ListedCommand> page = reads.findCommands(query)
                .orElseThrow(() -> ApiException.badRequest("after", "no command " + call.parameter("after")));
        boolean totalCount = call.parameter("include") != null;
        gate.respond(exchange, 200, "OK", g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            if (page.total() != null) {
                g.writeNumberField("total", page.total());
            } else {
                g.writeNullField("total");
            }
            g.writeNumberField("limit", query.limit());
            g.writeNumberField("offset", query.offset());
            g.writeStringField("after", query.after());
            g.writeStringField("order", query.descending() ? "DESC" : "ASC");
            g.writeBooleanField("has_more", page.hasMore());
            if (totalCount) {
                if (page.total() != null) {
                    g.writeNumberField("total_count", page.total());
                } else {
                    g.writeNullField("total_count");
                }
            }
            g.writeArrayFieldStart("items");
            for (LedgerReads.ListedCommand item : page.items()) {
                writeStatus(g, item.command(), item.vendorRequestIds(), false);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** {@code GET /commands/v0/status/{id}/}: the command with its history of transitions. */
    public void get(Exchange exchange) {
        CommandRecord c = existing(call(exchange));
        gate.respond(exchange, 200, "OK", g -> writeStatus(g, c, view.vendorRequestIds(c), true));
    }

    /**
     * {@code PUT /commands/v0/status/{id}/} with {@code {"state","reason","force"}}: a device's report
     * (Acknowledged, In Progress, Success, Failure) on an inbox command it was delivered, or the
     * operator's cancel or time-out. Only the moves {@link LedgerTransitions#refusal} allows are made
     * (409 naming the command's state otherwise).
     */
    public void update(Exchange exchange) {
        ApiCall call = call(exchange);
        CommandRecord c = existing(call);
        JsonNode body = body(call);
        JsonNode stateField = body.get("state");
        if (stateField == null || !stateField.isTextual()) {
            throw ApiException.badRequest("state", "required, one of " + labels(PUT_STATES));
        }
        CommandState target = state(stateField.asText(), "state");
        if (!PUT_STATES.contains(target)) {
            throw ApiException.badRequest("state", "'" + target + "' cannot be set; one of " + labels(PUT_STATES));
        }
        JsonNode reasonField = body.get("reason");
        if (reasonField != null && !reasonField.isNull() && (!reasonField.isTextual() || reasonField.asText().length() > 2000)) {
            throw ApiException.badRequest("reason", "must be a string of at most 2000 characters");
        }
        boolean pulled = CommandActionPlanner.KIND.equals(c.kind());
        if (call.byDevice() && !pulled) {
            throw new ApiException(403, "the device token may only report on inbox commands; use the API token");
        }
        boolean force = body.path("force").asBoolean(false) || "true".equalsIgnoreCase(call.parameter("force"));
        String reason = reasonField == null || reasonField.isNull() ? null : reasonField.asText();
        try {   // who may move what from where: the state machine's table, on the state the command is in now
            transitions.moveAsAsked(c.id(), call.byDevice() ? Requester.DEVICE : Requester.OPERATOR, pulled, force,
                    new StateChange(target, null, null, reason));
        } catch (LedgerTransitions.RefusedMove refused) {
            throw new ApiException(409, refused.getMessage());
        }
        CommandRecord updated = commandStore.command(c.id()).orElseThrow();
        gate.respond(exchange, 200, "Command status updated", g -> writeStatus(g, updated, view.vendorRequestIds(updated), true));
    }

    /** {@code GET /v2/command-inbox/?device_id=}: the device's queued commands, now delivered (Command Initiated). */
    public void inbox(Exchange exchange) {
        ApiCall call = call(exchange);
        String device = call.parameter("device_id");
        if (device == null) {
            throw ApiException.badRequest("device_id", "required");
        }
        if (call.byOneDevice() && !device.equals(call.device())) {
            throw new ApiException(403, "a device's own token fetches only that device's inbox");
        }
        List<CommandRecord> delivered = inbox.deliver(device);
        java.util.Map<String, List<String>> ids = view.vendorRequestIds(delivered);
        gate.respond(exchange, 200, "OK", g -> {
            g.writeStartObject();
            g.writeStringField("device_id", device);
            g.writeArrayFieldStart("commands");
            for (CommandRecord c : delivered) {
                writeStatus(g, c, ids.getOrDefault(c.id(), List.of()), false);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * {@code POST /commands/v0/requests/}: a batch document (docs/batch-format.md). Its {@code request_id},
     * else the {@code Idempotency-Key} header, else a digest of the body, is the idempotency key: a
     * retried POST answers what the first one created (200) and creates nothing new; the same key
     * with a different document is 422. A new document is answered {@code 202} as soon as it is
     * checked (to its end) and kept in the ledger, with its request id and status location; its
     * records are taken in the background, through the same intake as every other trigger, and its
     * progress is {@code GET /commands/v0/requests/{id}/}.
     */
    public void submit(Exchange exchange) throws IOException {
        ApiCall call = call(exchange);
        requireJson(call);
        if (call.body().length == 0) {
            throw ApiException.badRequest("body", "a batch document is required");
        }
        String key = call.parameter("Idempotency-Key");
        if (key != null && key.length() > MAX_REQUEST_ID - "api:".length()) {
            throw ApiException.badRequest("Idempotency-Key", "at most " + (MAX_REQUEST_ID - "api:".length()) + " characters");
        }
        String fallback = key != null ? "api:" + key : BatchReader.contentRequestId("api", call.body());
        BatchReader.Batch batch = intake.reader().prepare(call.body(), fallback);
        IntakePipeline.Result r = intake.start(batch, new IntakePipeline.Origin("http", null, false), call.body());
        switch (r.outcome()) {
            case PROBLEM -> {
                if (r.problem().kind() == BatchReader.Problem.Kind.REQUEST_ID) {
                    throw ApiException.badRequest("request_id", r.reason().replaceFirst("^request_id: ", ""));
                }
                throw ApiException.badRequest("actions", "the body must be a JSON object with an \"actions\" array"
                        + (r.problem().kind() == BatchReader.Problem.Kind.SYNTAX ? " (" + r.reason() + ")" : ""));
            }
            case DIFFERENT_DOCUMENT -> {
                String field = batch.requestIdGiven() ? "request_id" : "Idempotency-Key";
                throw new ApiException(422, field + ": request " + r.requestId() + " was submitted before with a different document; "
                        + "send the same document to get its answer again, or use a new " + field);
            }
            case STARTED -> {
                ObjectNode content = mapper.createObjectNode().put("request_id", r.requestId()).put("replayed", false)
                        .put("state", "reading").put("records_read", 0).put("status_url", requestPath(r.requestId()));
                gate.respond(exchange, 202, "Accepted; its records are being taken in", content, requestPath(r.requestId()));
            }
            default -> {   // replayed, or being taken in right now: what the first submission created so far
                ObjectNode content = requestStatus(r.requestId()).orElseThrow();
                content.put("replayed", true);
                gate.respond(exchange, 200, "Already submitted", content, requestPath(r.requestId()));
            }
        }
    }

    /**
     * {@code GET /commands/v0/requests/{id}/}: a request's progress: how far its intake got, its
     * commands per state, its rejected records (the first {@value #REJECTED_SHOWN}), and whether it
     * was refused whole.
     */
    public void request(Exchange exchange) {
        ApiCall call = call(exchange);
        String id = call.parameter("id");
        if (id == null || id.isBlank() || id.length() > MAX_REQUEST_ID) {
            throw ApiException.badRequest("id", "'" + id + "' is not a request id");
        }
        ObjectNode content = requestStatus(id).orElseThrow(() -> new ApiException(404, "Not Found: no request " + id));
        gate.respond(exchange, 200, "OK", content);
    }

    private static final int REJECTED_SHOWN = 100;

    private Optional<ObjectNode> requestStatus(String requestId) {
        Optional<RequestRecord> found = commandStore.request(requestId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        RequestRecord r = found.get();
        IntakeWriter.IntakeInfo info = intake.writer().info(requestId).orElseThrow();
        RequestCounts counts = reads.counts(requestId);
        String state = info.refusedReason() != null ? "refused" : !r.intakeComplete() ? "reading"
                : r.finishedAt() == null ? "running" : "finished";
        ObjectNode n = mapper.createObjectNode();
        n.put("request_id", r.id());
        n.put("source", r.source());
        n.put("source_name", r.sourceName());
        n.put("state", state);
        n.put("records_read", info.recordsRead());
        n.put("intake_complete", r.intakeComplete());
        n.put("refused_reason", info.refusedReason());
        n.put("commands", counts.total() - counts.invalid());
        ObjectNode byState = n.putObject("counts");
        for (CommandState s : CommandState.values()) {
            if (counts.of(s) > 0) {
                byState.put(s.label(), counts.of(s));
            }
        }
        n.put("rejected_total", counts.invalid());
        ArrayNode rejected = n.putArray("rejected");
        intake.writer().rejected(requestId, REJECTED_SHOWN)
                .forEach(x -> rejected.addObject().put("record", x.recordRef()).put("reason", x.reason()));
        n.put("created_at", text(r.createdAt()));
        n.put("intake_done_at", text(r.intakeDoneAt()));
        n.put("finished_at", text(r.finishedAt()));
        n.put("status_url", requestPath(requestId));
        return Optional.of(n);
    }

    private static String requestPath(String requestId) {
        return "/commands/v0/requests/" + java.net.URLEncoder.encode(requestId, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20") + "/";
    }

    private static String text(java.time.Instant t) {
        return t == null ? null : t.toString();
    }

    /** {@code GET /openapi.yaml}: this API's OpenAPI document, as kept in the repository. */
    public void document(Exchange exchange) throws IOException {
        try (var in = StatusApi.class.getResourceAsStream("/openapi/bridge-api.yaml")) {
            if (in == null) {
                throw new ApiException(404, "Not Found: the OpenAPI document is not packaged");
            }
            gate.respondRaw(exchange, 200, "application/yaml", new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    // ---------------------------------------------------------------- the status object

    /**
     * Writes the status object of {@code c}: its outward view ({@link CommandView#write}) with the
     * status API's own fields, and its history of transitions when asked.
     */
    private void writeStatus(JsonGenerator g, CommandRecord c, List<String> vendorRequestIds, boolean withTransitions) throws IOException {
        g.writeStartObject();
        view.write(g, c, vendorRequestIds);
        g.writeStringField("id", c.id());
        g.writeBooleanField("internal", c.internal());
        if (CommandActionPlanner.KIND.equals(c.kind())) {
            JsonNode payload = LenientJson.read(mapper, c.payload());
            g.writeStringField("command", payload.path("command").asText(null));
            g.writeFieldName("params");
            g.writeTree(payload.path("params").isObject() ? payload.get("params") : mapper.createObjectNode());
            g.writeStringField("not_before", c.invalid() ? null : payload.path("not_before").asText(null)); // a rejected record's is unchecked text
        }
        g.writeStringField("deadline_at", CommandView.text(c.deadlineAt()));
        g.writeStringField("updated_at", CommandView.text(c.updatedAt()));
        if (withTransitions) {
            g.writeArrayFieldStart("transitions");
            for (Transition t : reads.transitions(c.id())) {
                g.writeStartObject();
                g.writeStringField("at", CommandView.text(t.at()));
                g.writeStringField("from", t.from() == null ? null : t.from().label());
                g.writeStringField("to", t.to().label());
                g.writeStringField("vendor_status", t.vendorStatus());
                g.writeStringField("vendor_request_id", t.vendorRequestId());
                g.writeStringField("reason", t.reason());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    // ---------------------------------------------------------------- parameters

    private static ApiCall call(Exchange exchange) {
        return exchange.getProperty(ApiGate.CALL, ApiCall.class);
    }

    /**
     * The command of the path's {@code {id}}. For a device calling with its own token only its own
     * commands exist: any other is answered exactly as an unknown id, so nothing is told about it.
     */
    private CommandRecord existing(ApiCall call) {
        String id = call.parameter("id");
        if (id == null || !COMMAND_ID.matcher(id).matches()) {   // names no command: no need to ask the ledger
            throw new ApiException(404, "Not Found: no command " + (id == null ? "" : id.length() > 64 ? id.substring(0, 64) + "…" : id));
        }
        return commandStore.command(id).filter(c -> !call.byOneDevice() || isOwn(c, call.device()))
                .orElseThrow(() -> new ApiException(404, "Not Found: no command " + id));
    }

    private static boolean isOwn(CommandRecord c, String device) {
        return CommandActionPlanner.KIND.equals(c.kind()) && c.device().equals(device);
    }

    private JsonNode body(ApiCall call) {
        requireJson(call);
        JsonNode body = LenientJson.read(mapper, new String(call.body(), java.nio.charset.StandardCharsets.UTF_8));
        if (!body.isObject() || body.isEmpty()) {
            throw ApiException.badRequest("body", "a JSON object such as {\"state\":\"Command Acknowledged\"} is required");
        }
        return body;
    }

    private static void requireJson(ApiCall call) {
        String type = call.contentType();
        if (type != null && !type.toLowerCase().startsWith("application/json")) {
            throw ApiException.badRequest("Content-Type", "send the body as application/json, not " + type);
        }
    }

    private static CommandState state(String label, String field) {
        return CommandState.fromLabel(label).orElseThrow(() -> ApiException.badRequest(field,
                "unknown state '" + label + "'; one of " + labels(EnumSet.allOf(CommandState.class))));
    }

    private static String labels(Set<CommandState> states) {
        return states.stream().map(CommandState::label).toList().toString();
    }
}
