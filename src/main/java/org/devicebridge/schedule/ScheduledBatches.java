package org.devicebridge.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Header;
import org.devicebridge.intake.ActionIntake;
import org.devicebridge.intake.BatchReader;
import org.devicebridge.intake.DifferentDocumentException;
import org.quartz.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Takes a schedule's batch in when it fires (routes/templates/scheduled-batch.yaml): the source file, or
 * each {@code *.json} document of the source directory, becomes one request through
 * {@link ActionIntake#submit}.
 * <p>
 * The request id is derived from the schedule's name and the firing's <em>scheduled</em> time
 * only, {@code schedule:<name>:<time>} (and {@code :<file name>} for a directory), never from the
 * clock or the document: a second bridge instance firing the same schedule, a firing repeated
 * after a crash, or a recovered firing in a cluster submits the same id again, and the intake,
 * idempotent on the request id, creates nothing new. A {@code request_id} in the document itself
 * is ignored for the same reason (it would make every firing after the first a replay).
 */
public class ScheduledBatches {

    /** Headers set by the route template: the schedule's name and source. */
    public static final String NAME = "scheduleName";
    public static final String SOURCE = "scheduleSource";
    /** Set by camel-quartz: the time the trigger was due. */
    public static final String SCHEDULED_FIRE_TIME = "scheduledFireTime";

    private static final Logger LOG = LoggerFactory.getLogger(ScheduledBatches.class);
    private static final int MAX_ID = 200; // bridge_request.id

    private final ActionIntake intake;
    private final ObjectMapper mapper;

    public ScheduledBatches(ActionIntake intake, ObjectMapper mapper) {
        this.intake = intake;
        this.mapper = mapper;
    }

    /**
     * One firing, as Camel's quartz consumer hands it over: {@code scheduledFireTime} is the time
     * the trigger was due (not when it ran); a firing that Quartz recovers after an instance died
     * mid-run carries the original one in its job data, so it resumes the same requests.
     */
    public List<String> fire(@Header(NAME) String name, @Header(SOURCE) String source,
                             @Header(SCHEDULED_FIRE_TIME) Date scheduledFireTime,
                             @Header("mergedJobDataMap") Map<String, Object> jobData) throws IOException {
        Object recovered = jobData == null ? null : jobData.get(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_SCHEDULED_FIRETIME_IN_MILLISECONDS);
        if (recovered == null && scheduledFireTime == null) {
            throw new IllegalArgumentException("schedule " + name + ": no " + SCHEDULED_FIRE_TIME + " header: not a Quartz firing");
        }
        Instant time = recovered != null ? Instant.ofEpochMilli(Long.parseLong(recovered.toString())) : scheduledFireTime.toInstant();
        if (recovered != null) {
            LOG.info("schedule {}: the firing of {} is run again (its instance stopped during it)", name, stamp(time));
        }
        return run(name, Path.of(source), time);
    }

    /**
     * Takes the source in for the firing scheduled at {@code time}.
     *
     * @return the request ids submitted (or found submitted before)
     */
    public List<String> run(String name, Path source, Instant time) throws IOException {
        List<String> requestIds = new ArrayList<>();
        if (Files.isDirectory(source)) {
            List<Path> documents;
            try (Stream<Path> files = Files.list(source)) {
                documents = files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json"))
                        .filter(Files::isRegularFile).sorted().toList();
            }
            if (documents.isEmpty()) {
                LOG.warn("schedule {} ({}): no *.json batch documents in {}; nothing to take in", name, stamp(time), source);
            }
            for (Path document : documents) {
                submit(name, document, requestId(name, time, document.getFileName().toString())).ifPresent(requestIds::add);
            }
        } else if (Files.isRegularFile(source)) {
            submit(name, source, requestId(name, time, null)).ifPresent(requestIds::add);
        } else {
            LOG.error("schedule {} ({}): its source {} is gone; nothing taken in", name, stamp(time), source);
        }
        return requestIds;
    }

    /** {@code schedule:<name>:<scheduled time, ISO-8601 UTC>}, and {@code :<file name>} for each file of a directory. */
    public static String requestId(String name, Instant time, String fileName) {
        String id = "schedule:" + name + ":" + stamp(time);
        if (fileName == null) {
            return id;
        }
        String withFile = id + ":" + fileName;
        // a file name too long for the ledger's id column is replaced by a digest of it
        return withFile.length() <= MAX_ID ? withFile : id + ":" + BatchReader.digest(fileName).substring(0, 16);
    }

    private static String stamp(Instant time) {
        return DateTimeFormatter.ISO_INSTANT.format(time);
    }

    private Optional<String> submit(String name, Path file, String requestId) throws IOException {
        byte[] document;
        try {
            document = withoutRequestId(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            LOG.error("schedule {}: {} is not a JSON batch document ({}); it is not taken in", name, file,
                    e.getOriginalMessage());
            return Optional.empty();
        }
        ActionIntake.Submission s;
        try {
            s = intake.submit(document, requestId, "schedule");
        } catch (DifferentDocumentException e) {   // the firing ran before, and the source was edited since
            LOG.error("schedule {}: request {} was taken in before from another version of {}; this one is not taken in",
                    name, requestId, file.getFileName());
            return Optional.empty();
        }
        if (s.replayed()) {
            LOG.info("schedule {}: request {} ({}) was submitted before; nothing new is created", name, requestId, file.getFileName());
        } else {
            LOG.info("schedule {}: {} taken in as request {}: {} commands, {} rejected", name, file.getFileName(), requestId,
                    s.commandIds().size(), s.rejected().size());
        }
        return Optional.of(s.requestId());
    }

    /** The document without its own {@code request_id}: the schedule's id must be the one used. */
    private byte[] withoutRequestId(byte[] document) throws IOException {
        JsonNode tree = mapper.readTree(document);
        if (tree instanceof ObjectNode object && object.has("request_id")) {
            object.remove("request_id");
            return mapper.writeValueAsBytes(object);
        }
        return document;
    }
}
