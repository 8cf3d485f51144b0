package org.devicebridge.schedule;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Header;
import org.devicebridge.intake.ActionIntake;
import org.devicebridge.intake.BatchReader;
import org.devicebridge.intake.IntakePipeline;
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
 * each {@code *.json} document of the source directory, becomes one request through the one intake
 * pipeline ({@link ActionIntake#take}), read streamed.
 * <p>
 * The request id is derived from the schedule's name and the firing's <em>scheduled</em> time
 * only, {@code schedule:<name>:<time>} (and {@code :<file name>} for a directory), never from the
 * clock or the document: a second bridge instance firing the same schedule, a firing repeated
 * after a crash, or a recovered firing in a cluster submits the same id again, and the intake,
 * idempotent on the request id, creates nothing new. A {@code request_id} in the document itself
 * is ignored for the same reason (it would make every firing after the first a replay). A document
 * that cannot be taken in (it does not parse to its end ...) becomes its firing's request, refused
 * whole with the reason (its summary says it); a source edited after its firing was taken in is not
 * taken again under the same id.
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
        BatchReader.Batch batch = intake.reader().prepare(file, requestId);
        IntakePipeline.Result r = intake.take(batch, new IntakePipeline.Origin("schedule", null, true), IntakePipeline.Listener.NONE);
        switch (r.outcome()) {
            case DIFFERENT_DOCUMENT -> {   // the firing ran before, and the source was edited since
                LOG.error("schedule {}: request {} was taken in before from another version of {}; this one is not taken in",
                        name, requestId, file.getFileName());
                return Optional.empty();
            }
            case REPLAYED, IN_PROGRESS -> LOG.info("schedule {}: request {} ({}) was submitted before; nothing new is created", name,
                    requestId, file.getFileName());
            case REFUSED -> LOG.error("schedule {}: {} is refused whole as request {}: {}", name, file.getFileName(), requestId,
                    r.reason());
            default -> LOG.info("schedule {}: {} taken in as request {}: {} commands, {} rejected", name, file.getFileName(),
                    requestId, r.commands(), r.rejected());
        }
        return Optional.of(r.requestId());
    }
}
