package org.devicebridge.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Intake from messages (routes/templates/batch-intake.yaml: the bridge's queue, or an embedding
 * application's own endpoint): one batch document (BATCH-FORMAT.md's JSON form) per message, taken
 * in whole by {@link ActionIntake#submit}.
 * <p>
 * A message that is not a batch document at all (not text or bytes, not JSON, not an object with
 * an {@code actions} array, an over-long {@code request_id}) is a poison message: retrying cannot
 * help, so {@link #check} names the problem in the header {@value #REJECT_REASON} and the route
 * moves it to the dead-letter queue. A document with bad records is not poison: like a file, it
 * is taken in and its bad records are rejected one by one.
 * <p>
 * Idempotent: the request id is the document's {@code request_id}, or else derived from its
 * content (the source, e.g. {@code jms:}, and a digest, as the HTTP API does), so a redelivered message, and a
 * message its producer sent again after a lost acknowledgement (a new message id, the same
 * content), create nothing new. A message whose {@code request_id} was taken in before from a
 * different document is poison too: it is not the same request, and its id is taken.
 */
public class MessageIntake {

    /** The header naming why a message went to the dead-letter queue. */
    public static final String REJECT_REASON = "BridgeRejectReason";

    private static final Logger LOG = LoggerFactory.getLogger(MessageIntake.class);
    private static final int MAX_REQUEST_ID = 200;   // bridge_request.id VARCHAR(200)
    private static final int MAX_SOURCE = 20;        // bridge_request.source VARCHAR(20)

    private final ActionIntake intake;
    private final ObjectMapper mapper;

    public MessageIntake(ActionIntake intake, ObjectMapper mapper) {
        this.intake = intake;
        this.mapper = mapper;
    }

    /**
     * Sets {@value #REJECT_REASON} when the message is not a batch document, or when its
     * {@code request_id} was taken in before from a different document (and clears one it came with).
     */
    public void check(Message message) throws IOException {
        message.removeHeader(REJECT_REASON);
        String problem = problem(message.getBody());
        if (problem == null) {
            problem = intake.differentDocument(bytes(message.getBody())).orElse(null);
        }
        if (problem != null) {
            message.setHeader(REJECT_REASON, problem);
        }
    }

    /**
     * Takes the batch into the ledger; returns once its commands are recorded (the message may then be acknowledged).
     *
     * @param source the requests' source in the ledger, e.g. {@code jms}
     */
    public void submit(Message message, String source) throws IOException {
        if (source == null || source.isBlank() || source.length() > MAX_SOURCE) {
            throw new IllegalArgumentException("source: 1 to " + MAX_SOURCE + " characters, not '" + source + "'");
        }
        byte[] document = bytes(message.getBody());
        ActionIntake.Submission s = intake.submit(document, BatchReader.contentRequestId(source, document), source);
        if (s.replayed()) {
            LOG.info("request {} ({}): already taken in; nothing new is created", s.requestId(), source);
        } else {
            LOG.info("request {} ({}): {} commands, {} rejected records", s.requestId(), source, s.commandIds().size(),
                    s.rejected().size());
        }
    }

    /** Why the body is not a batch document, or null when it is one. */
    String problem(Object body) {
        byte[] bytes = bytes(body);
        if (bytes == null) {
            return "not a batch document: the message must be a text or bytes message, not "
                    + (body == null ? "empty" : body.getClass().getSimpleName());
        }
        if (bytes.length == 0) {
            return "not a batch document: the message is empty";
        }
        JsonNode document;
        try {
            document = mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            return "malformed JSON: " + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr() + ")";
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
        if (document == null || !document.isObject() || !document.path("actions").isArray()) {
            return "not a batch document: the body must be a JSON object with an \"actions\" array";
        }
        JsonNode given = document.path("request_id");
        if (given.isTextual() && given.asText().trim().length() > MAX_REQUEST_ID) {
            return "request_id: at most " + MAX_REQUEST_ID + " characters";
        }
        return null;
    }

    private static byte[] bytes(Object body) {
        if (body instanceof byte[] b) {
            return b;
        }
        if (body instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        return null;
    }
}
