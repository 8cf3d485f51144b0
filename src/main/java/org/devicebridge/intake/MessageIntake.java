package org.devicebridge.intake;

import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Intake from messages (routes/templates/batch-intake.yaml: the bridge's queue, or an embedding
 * application's own endpoint): one batch document (the JSON form of docs/batch-format.md) per message,
 * through the one intake pipeline, before the exchange ends (so a transacted consumer acknowledges
 * the message only once its actions are in the ledger).
 * <p>
 * A message that cannot be taken in is poison: retrying cannot help, so {@link #take} names the
 * problem in the header {@value #REJECT_REASON} and the route moves it to the dead-letter queue.
 * That is a message that is not a batch document at all (not text or bytes, not a JSON object with
 * an {@code actions} array, not parsing to its end, a key twice, nested too deeply), one whose
 * {@code request_id} cannot be used, and one whose {@code request_id} was taken in before from a
 * different document (it is not the same request, and its id is taken). Nothing of a poison
 * message is taken in. A document with bad records is not poison: like a file, it is taken in and
 * its bad records are rejected one by one.
 * <p>
 * Idempotent: the request id is the document's {@code request_id}, or else derived from its
 * content (the source, e.g. {@code jms:}, and a digest, as the HTTP API does), so a redelivered
 * message, and a message its producer sent again after a lost acknowledgement (a new message id,
 * the same content), create nothing new.
 */
public class MessageIntake {

    /** The header naming why a message went to the dead-letter queue. */
    public static final String REJECT_REASON = "BridgeRejectReason";

    private static final Logger LOG = LoggerFactory.getLogger(MessageIntake.class);
    private static final int MAX_SOURCE = 20;        // bridge_request.source VARCHAR(20)

    private final ActionIntake intake;

    public MessageIntake(ActionIntake intake) {
        this.intake = intake;
    }

    /**
     * Takes the message's batch into the ledger; returns once its commands are recorded (the
     * message may then be acknowledged). Sets {@value #REJECT_REASON} (and takes nothing) when the
     * message is poison; clears one it came with.
     *
     * @param source the requests' source in the ledger, e.g. {@code jms}
     */
    public void take(Message message, String source) throws IOException {
        if (source == null || source.isBlank() || source.length() > MAX_SOURCE) {
            throw new IllegalArgumentException("source: 1 to " + MAX_SOURCE + " characters, not '" + source + "'");
        }
        message.removeHeader(REJECT_REASON);
        Object body = message.getBody();
        byte[] document = bytes(body);
        if (document == null) {
            message.setHeader(REJECT_REASON, "not a batch document: the message must be a text or bytes message, not "
                    + (body == null ? "empty" : body.getClass().getSimpleName()));
            return;
        }
        if (document.length == 0) {
            message.setHeader(REJECT_REASON, "not a batch document: the message is empty");
            return;
        }
        BatchReader.Batch batch = intake.reader().prepare(document, BatchReader.contentRequestId(source, document));
        IntakePipeline.Result result = intake.take(batch, new IntakePipeline.Origin(source, null, false), IntakePipeline.Listener.NONE);
        switch (result.outcome()) {
            case PROBLEM -> message.setHeader(REJECT_REASON, result.problem().kind() == BatchReader.Problem.Kind.SHAPE
                    ? "not a batch document: the body must be a JSON object with an \"actions\" array" : result.reason());
            case DIFFERENT_DOCUMENT -> message.setHeader(REJECT_REASON, result.reason());
            case REPLAYED, IN_PROGRESS -> LOG.info("request {} ({}): already taken in; nothing new is created", result.requestId(), source);
            default -> LOG.info("request {} ({}): {} commands, {} rejected records", result.requestId(), source, result.commands(),
                    result.rejected());
        }
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
