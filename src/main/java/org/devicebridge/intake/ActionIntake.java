package org.devicebridge.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.ledger.NewCommand;
import org.devicebridge.ledger.RequestRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Intake of batches from any trigger: opens the request in the ledger, validates each record
 * (pre-flight, by the planner of its kind) and records its device commands before any call is made.
 * <p>
 * Idempotent: the request id (given, or derived from name and checksum) and the command ids
 * (derived from request id and position) are deterministic, so a batch read twice (dropped again,
 * redelivered, or re-read after a crash mid-intake) creates no second command.
 */
public class ActionIntake {

    /** Exchange properties the intake routes carry. */
    public static final String REQUEST_ID = "requestId";
    public static final String SOURCE_NAME = "sourceName";
    public static final String REJECTED = "rejected";

    private static final Logger LOG = LoggerFactory.getLogger(ActionIntake.class);
    private static final int MAX_ID = 200;
    private static final int MAX_REASON = 2000;

    private final Ledger ledger;
    private final CommandStore commandStore;
    private final LedgerReads reads;
    private final BatchReader reader;
    private final Map<String, ActionPlanner> planners;
    private final Duration defaultDeadline;
    private final int progressEvery;
    private final ObjectMapper mapper;
    private final List<Consumer<String>> intakeCompleteListeners = new CopyOnWriteArrayList<>();

    public ActionIntake(Ledger ledger, CommandStore commandStore, LedgerReads reads, BatchReader reader, List<ActionPlanner> planners,
                        Duration defaultDeadline, int progressEvery, ObjectMapper mapper) {
        this.ledger = ledger;
        this.commandStore = commandStore;
        this.reads = reads;
        this.reader = reader;
        this.planners = planners.stream().collect(Collectors.toMap(ActionPlanner::kind, p -> p));
        this.defaultDeadline = defaultDeadline;
        this.progressEvery = progressEvery;
        this.mapper = mapper;
    }

    /** Registers a check told the request id each time a request's intake completes (e.g. whether its deadlines can be met). */
    public void onIntakeComplete(Consumer<String> listener) {
        intakeCompleteListeners.add(listener);
    }

    /**
     * Opens a dropped batch file and registers its request. Returns the records to split, or
     * nothing when the same request was taken in completely before.
     */
    public BatchSource openFile(File file, Exchange exchange) throws IOException {
        BatchSource source = reader.open(file.toPath());
        String name = file.getName();
        exchange.setProperty(REQUEST_ID, source.requestId());
        exchange.setProperty(SOURCE_NAME, name);
        if (!commandStore.openRequest(source.requestId(), "file", name)) {
            var existing = commandStore.request(source.requestId()).orElseThrow();
            if (existing.intakeComplete()) {
                source.close();
                LOG.info("{}: request {} was already submitted at {}; nothing new is created", name, source.requestId(),
                        existing.createdAt());
                return new EmptySource(source.requestId());
            }
            LOG.info("{}: resuming the intake of request {} (interrupted before)", name, source.requestId());
        } else {
            LOG.info("{}: request {} opened", name, source.requestId());
        }
        return source;
    }

    /**
     * Validates one record and writes its commands to the ledger. When the record is rejected
     * (unreadable, or invalid by pre-flight) the exchange property {@value #REJECTED} is set and the
     * body becomes one JSON line describing it, for the dead-letter file.
     */
    public void accept(BatchRecord record, @ExchangeProperty(REQUEST_ID) String requestId, Exchange exchange) {
        String rejection = take(record, requestId);
        if (rejection != null) {
            reject(exchange, record, rejection);
        }
    }

    /**
     * Takes one record into the ledger: its commands, or the reason it was rejected.
     *
     * @return null when it became commands; otherwise why it was rejected (naming the field)
     */
    String take(BatchRecord record, String requestId) {
        if ((record.seq() + 1) % progressEvery == 0) {
            LOG.info("request {}: {} records read", requestId, record.seq() + 1);
        }
        if (!record.readable()) {
            commandStore.recordIntakeError(requestId, record.seq(), record.ref(), clip(record.error(), MAX_REASON), record.raw());
            return record.error();
        }
        JsonNode action = record.action();
        String kind = text(action, "kind");
        ActionPlanner planner = kind == null ? null : planners.get(kind);
        if (planner == null) {
            String reason = kind == null ? "kind: missing" : "kind: unknown kind '" + kind + "' (known: " + planners.keySet() + ")";
            commandStore.recordIntakeError(requestId, record.seq(), record.ref(), clip(reason, MAX_REASON), record.raw());
            return reason;
        }
        Instant now = ledger.now();
        String actionId = text(action, "id");
        try {
            if (actionId != null && actionId.length() > MAX_ID) {
                throw new InvalidActionException("id", "at most " + MAX_ID + " characters");
            }
            Instant deadline = deadline(action, now, defaultDeadline);
            List<ActionPlanner.PlannedCommand> planned = planner.plan(action);
            for (int i = 0; i < planned.size(); i++) {
                if (planned.get(i).device().length() > MAX_ID) {
                    throw new InvalidActionException("device", "device ids have at most " + MAX_ID + " characters");
                }
            }
            List<NewCommand> commands = new java.util.ArrayList<>(planned.size());
            for (int i = 0; i < planned.size(); i++) {
                var p = planned.get(i);
                boolean later = p.notBefore() != null && p.notBefore().isAfter(now);
                commands.add(new NewCommand(commandId(requestId, record.seq(), i), requestId, record.seq(), i,
                        record.ref(), actionId, kind, p.device(), later ? CommandState.SCHEDULED : CommandState.QUEUED,
                        p.payload(), p.firstPhase(), later ? p.notBefore() : now, deadline, null));
            }
            commandStore.recordCommands(commands);
            return null;
        } catch (InvalidActionException e) {
            String reason = record.ref() + ": " + e.getMessage();
            String device = text(action, "device");
            commandStore.recordCommand(new NewCommand(commandId(requestId, record.seq(), 0), requestId, record.seq(), 0, record.ref(),
                    clip(actionId), kind, clip(device == null ? "" : device), CommandState.FAILURE, record.raw(), "DONE", null, null,
                    "invalid: " + clip(reason, MAX_REASON - 9)));
            LOG.warn("request {}: rejected {}", requestId, reason);
            return e.getMessage();
        }
    }

    /**
     * Takes in a whole batch document that arrived as a message or an HTTP body, idempotently: a
     * request id seen before (given in the document, or {@code fallbackRequestId}, e.g. from an
     * Idempotency-Key) with the same document (the same bytes) creates nothing new and answers what
     * the first submission created. The document's digest is kept with the request for that.
     *
     * @param source the trigger, e.g. {@code http}, {@code jms}, {@code schedule}
     * @throws DifferentDocumentException when the request id was submitted before with another
     *                                    document; nothing of this one is taken in
     */
    public Submission submit(byte[] document, String fallbackRequestId, String source) throws IOException {
        String digest = BatchReader.digest(document);
        try (BatchSource records = reader.openDocument(document, fallbackRequestId)) {
            String requestId = records.requestId();
            boolean fresh = commandStore.openRequest(requestId, source, null, digest);
            RequestRecord existing = fresh ? null : commandStore.request(requestId).orElseThrow();
            if (existing != null && existing.documentDigest() != null && !existing.documentDigest().equals(digest)) {
                throw new DifferentDocumentException(requestId);
            }
            if (fresh || !existing.intakeComplete()) {
                while (records.hasNext()) {
                    take(records.next(), requestId);
                }
                boolean completed = commandStore.completeIntake(requestId);
                LOG.info("request {} ({}): taken in", requestId, source);
                if (completed) {
                    intakeCompleted(requestId);
                }
            }
            List<String> commandIds = new java.util.ArrayList<>();
            reads.forEachCommand(requestId, c -> {
                if (!c.invalid()) {
                    commandIds.add(c.id());
                }
            });
            List<org.devicebridge.ledger.RejectedRecord> rejected = new java.util.ArrayList<>();
            reads.forEachRejectedRecord(requestId, rejected::add);
            return new Submission(requestId, !fresh, commandIds, rejected);
        }
    }

    /**
     * Why the document cannot be taken in under its own {@code request_id}: that id was submitted
     * before with a different document. Empty when it can (new, the same document, or no id of its own).
     */
    public Optional<String> differentDocument(byte[] document) throws IOException {
        try (BatchSource records = reader.openDocument(document, null)) {
            if (!records.requestIdGiven()) {
                return Optional.empty();
            }
            String digest = BatchReader.digest(document);
            return commandStore.request(records.requestId()).map(RequestRecord::documentDigest)
                    .filter(stored -> !stored.equals(digest))
                    .map(stored -> "request_id '" + records.requestId() + "': taken in before from a different document; "
                            + "a new document needs a new request_id");
        }
    }

    /** What a submission created: its request, its commands, its rejected records; {@code replayed} when seen before. */
    public record Submission(String requestId, boolean replayed, List<String> commandIds,
                             List<org.devicebridge.ledger.RejectedRecord> rejected) {
    }

    /** Ends intake of the request: from now on it is finished when every command is final. */
    public void close(@ExchangeProperty(REQUEST_ID) String requestId) {
        boolean completed = commandStore.completeIntake(requestId);
        var counts = reads.counts(requestId);
        LOG.info("request {}: intake complete, {} commands, {} rejected", requestId, counts.total() - counts.invalid(),
                counts.invalid());
        if (completed) {
            intakeCompleted(requestId);
        }
    }

    private void intakeCompleted(String requestId) {
        for (Consumer<String> listener : intakeCompleteListeners) {
            try {
                listener.accept(requestId);
            } catch (RuntimeException e) {
                LOG.warn("request {}: a check after intake failed: {}", requestId, e.toString());
            }
        }
    }

    /** The ledger's columns hold 200 characters for ids, 2000 for reasons; a longer value is kept cut, marked with an ellipsis. */
    private static String clip(String value) {
        return clip(value, MAX_ID);
    }

    private static String clip(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max - 1) + "…";
    }

    /** Deterministic command id: the same request and position always give the same id. */
    public static String commandId(String requestId, int seq, int position) {
        return UUID.nameUUIDFromBytes((requestId + "/" + seq + "/" + position).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * The action's deadline: its own {@code deadline} (an ISO-8601 duration from intake, or an
     * RFC3339 instant), else {@code defaultDeadline} from intake.
     *
     * @throws InvalidActionException when {@code deadline} is neither
     */
    public static Instant deadline(JsonNode action, Instant now, Duration defaultDeadline) {
        String value = text(action, "deadline");
        if (value == null) {
            return now.plus(defaultDeadline);
        }
        try {
            return value.startsWith("P") || value.startsWith("p") ? now.plus(Duration.parse(value))
                    : OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidActionException("deadline", "'" + value + "' is neither RFC3339 nor an ISO-8601 duration");
        }
    }

    private void reject(Exchange exchange, BatchRecord record, String reason) {
        ObjectNode line = mapper.createObjectNode();
        line.put("record", record.ref());
        line.put("reason", reason);
        line.put("raw", record.raw());
        exchange.setProperty(REJECTED, true);
        exchange.getIn().setBody(line.toString());
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }

    /** What a re-submitted batch yields: nothing. */
    private record EmptySource(String requestId) implements BatchSource {
        @Override
        public boolean requestIdGiven() {
            return true;
        }

        @Override
        public boolean hasNext() {
            return false;
        }

        @Override
        public BatchRecord next() {
            throw new NoSuchElementException();
        }

        @Override
        public void close() {
        }
    }
}
