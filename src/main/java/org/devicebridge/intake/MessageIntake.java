package org.devicebridge.intake;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.file.GenericFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Intake from messages (routes/templates/batch-intake.yaml: the bridge's queue, or an embedding
 * application's own endpoint): one batch document (the JSON form of docs/batch-format.md) per message,
 * through the one intake pipeline, before the exchange ends (so a transacted consumer acknowledges
 * the message only once its actions are in the ledger).
 * <p>
 * What a message may be: text or bytes (a JSON batch document, read in memory, as it already is),
 * a stream, or a file as the {@code file:}, {@code ftp:} and {@code sftp:} consumers hand it over
 * ({@code GenericFile}). A file on local disk is read where it lies; a stream (or a remote file's
 * content) is first spooled to a temporary file: either way the batch is read record by record, never
 * whole into memory. A message that names a file (a {@code GenericFile}, or the header
 * {@code CamelFileName}) is read as its extension says: {@code .jsonl} JSON Lines, {@code .csv} CSV,
 * else a JSON document; its derived request id is {@code <source>:<name>:<digest>}, like a dropped file's.
 * <p>
 * A message that cannot be taken in is poison: retrying cannot help, so {@link #take} names the
 * problem in the header {@value #REJECT_REASON} and the route moves it to the dead-letter queue.
 * That is a message that is not a batch document at all (not text, bytes, a stream or a file, not a JSON object with
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
        String name = fileName(message, body);
        Path local = localFile(body);
        if (local != null) {
            take(message, intake.reader().prepareHandedFile(local, name, source), source, name);
            return;
        }
        if (name == null && (body instanceof byte[] || body instanceof String)) {
            byte[] document = body instanceof byte[] b ? b : ((String) body).getBytes(StandardCharsets.UTF_8);
            if (document.length == 0) {
                message.setHeader(REJECT_REASON, "not a batch document: the message is empty");
                return;
            }
            take(message, intake.reader().prepare(document, BatchReader.contentRequestId(source, document)), source, null);
            return;
        }
        InputStream stream = body == null ? null
                : message.getExchange().getContext().getTypeConverter().tryConvertTo(InputStream.class, message.getExchange(), body);
        if (stream == null) {
            message.setHeader(REJECT_REASON, "not a batch document: the message must be text, bytes, a stream or a file, not "
                    + (body == null ? "empty" : body.getClass().getSimpleName()));
            return;
        }
        // a stream (or a remote file's content) is read twice (checked to its end, then record by record):
        // spooled to a file of its own, so a big batch never sits whole in memory
        Path spool = Files.createTempFile("device-bridge-intake-", ".spool");
        try {
            try (InputStream in = stream) {
                Files.copy(in, spool, StandardCopyOption.REPLACE_EXISTING);
            }
            if (Files.size(spool) == 0) {
                message.setHeader(REJECT_REASON, "not a batch document: the message is empty");
                return;
            }
            take(message, intake.reader().prepareHandedFile(spool, name, source), source, name);
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private void take(Message message, BatchReader.Batch batch, String source, String name) throws IOException {
        IntakePipeline.Result result = intake.take(batch, new IntakePipeline.Origin(source, name, false), IntakePipeline.Listener.NONE);
        switch (result.outcome()) {
            case PROBLEM -> message.setHeader(REJECT_REASON, result.problem().kind() == BatchReader.Problem.Kind.SHAPE
                    ? "not a batch document: the body must be a JSON object with an \"actions\" array" : result.reason());
            case DIFFERENT_DOCUMENT -> message.setHeader(REJECT_REASON, result.reason());
            case REPLAYED, IN_PROGRESS -> LOG.info("request {} ({}): already taken in; nothing new is created", result.requestId(), source);
            default -> LOG.info("request {} ({}): {} commands, {} rejected records", result.requestId(), source, result.commands(),
                    result.rejected());
        }
    }

    /** The file a file endpoint handed over, on local disk ({@code file:}, or a remote file downloaded to a local work directory). */
    private static Path localFile(Object body) {
        if (body instanceof GenericFile<?> file) {
            if (file.getFile() instanceof File local && local.isFile()) {
                return local.toPath();
            }
            if (file.getBody() instanceof File local && local.isFile()) {
                return local.toPath();
            }
        }
        return body instanceof File local && local.isFile() ? local.toPath() : null;
    }

    /** The name of the file the message carries (its extension picks the format), or null: then it is a JSON document. */
    private static String fileName(Message message, Object body) {
        String name = body instanceof GenericFile<?> file ? file.getFileNameOnly()
                : body instanceof File file ? file.getName()
                : message.getHeader(Exchange.FILE_NAME_ONLY, message.getHeader(Exchange.FILE_NAME, String.class), String.class);
        if (name == null || name.isBlank()) {
            return null;
        }
        return name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
    }
}
