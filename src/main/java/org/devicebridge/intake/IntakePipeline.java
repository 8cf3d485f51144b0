package org.devicebridge.intake;

import org.devicebridge.ledger.IntakeWriter;
import org.devicebridge.ledger.IntakeWriter.Found;
import org.devicebridge.ledger.IntakeWriter.IntakeError;
import org.devicebridge.ledger.IntakeWriter.Opening;
import org.devicebridge.ledger.NewCommand;
import org.devicebridge.observe.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The one intake of every trigger (dropped files, queue messages, schedule firings, API bodies)
 * and of {@code --dry-run}: opens the request (idempotently: a replay creates nothing, a reused
 * request id with a different document is refused), reads the batch record by record (streamed),
 * runs each through {@link Preflight} (pre-flight and planning) and hands the outcomes to its
 * {@link Target} hundreds at a time (one ledger transaction each), then completes the request.
 * A batch refused whole (it does not parse to its end, its request id cannot be used, a link ...)
 * is recorded as one rejected record, when the trigger wants it recorded.
 * <p>
 * Write-behind is safe: command ids are deterministic and the target skips what an earlier,
 * interrupted intake of the request wrote; the request's {@code records_read} moves with each
 * batch, so a resumed intake skips the records before it without planning them again. What was
 * written is visible to dispatch at once, while the rest is read.
 */
public class IntakePipeline {

    private static final Logger LOGGER = LoggerFactory.getLogger(IntakePipeline.class);
    private static final Logger QUIET = org.slf4j.helpers.NOPLogger.NOP_LOGGER;

    /** Where the pipeline writes: the ledger ({@link LedgerTarget}), or a dry run's plan. */
    public interface Target {
        Instant now();

        /** Does this target keep what it is given (the ledger), or only look (a dry run: then nothing is logged)? */
        default boolean keeps() {
            return true;
        }

        Opening open(String requestId, String source, String sourceName, String digest, String outboxBase, byte[] keep);

        void write(String requestId, List<NewCommand> commands, List<IntakeError> errors, int recordsRead);

        boolean complete(String requestId);

        boolean refuse(String requestId, String recordRef, String reason, String raw);
    }

    /** Told of the records as they are taken (e.g. the dead-letter file of a dropped batch). */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        /** A record passed pre-flight and became these commands. */
        default void planned(BatchRecord record, List<NewCommand> commands) {
        }

        /** A record was rejected: {@code reason} without the record's reference. */
        default void rejected(BatchRecord record, String ref, String reason) {
        }

        /** Everything up to {@code recordsRead} is written. */
        default void written(int recordsRead) {
        }
    }

    /**
     * Where a batch comes from.
     *
     * @param source         the trigger, e.g. {@code file}, {@code http}, {@code jms}, {@code schedule}
     * @param sourceName     the file name (names the outbox files), or null
     * @param recordProblems a batch refused whole becomes a request with one rejected record (files,
     *                       schedules); else nothing is opened and the caller answers (API, queue)
     */
    public record Origin(String source, String sourceName, boolean recordProblems) {
    }

    /** What became of a batch. */
    public enum Outcome {
        /** Its records were taken in (completely: new, or the rest of an interrupted intake). */
        TAKEN,
        /** Opened and kept; its records are taken in the background ({@link ActionIntake#start}). */
        STARTED,
        /** Taken in before, completely: nothing new was created. */
        REPLAYED,
        /** Its intake is going on right now elsewhere. */
        IN_PROGRESS,
        /** Its request id was taken in before from a different document: nothing was taken. */
        DIFFERENT_DOCUMENT,
        /** Refused whole, and recorded so (one rejected record, its summary says why). */
        REFUSED,
        /** Refused whole before anything was opened ({@link Origin#recordProblems()} false): the caller answers. */
        PROBLEM
    }

    /**
     * @param reason   why it was refused (REFUSED, PROBLEM, DIFFERENT_DOCUMENT), else null
     * @param problem  for PROBLEM, what was found
     * @param commands commands written by this intake; {@code rejected}: records rejected by it
     */
    public record Result(Outcome outcome, String requestId, String reason, BatchReader.Problem problem, int commands, int rejected,
                         Opening opening) {

        Result(Outcome outcome, String requestId, String reason, BatchReader.Problem problem, int commands, int rejected) {
            this(outcome, requestId, reason, problem, commands, rejected, null);
        }

        static Result of(Outcome outcome, String requestId) {
            return new Result(outcome, requestId, null, null, 0, 0);
        }
    }

    private final Preflight preflight;
    private final int batchSize;
    private final Duration flushEvery;
    private final int progressEvery;

    /**
     * @param batchSize  records (and commands) written per transaction, at most about
     * @param flushEvery what was read is written at least this often, however few records it is
     */
    public IntakePipeline(Preflight preflight, int batchSize, Duration flushEvery, int progressEvery) {
        this.preflight = preflight;
        this.batchSize = batchSize;
        this.flushEvery = flushEvery;
        this.progressEvery = progressEvery;
    }

    public Preflight preflight() {
        return preflight;
    }

    /** Opens the batch's request and takes its records in, in the caller's thread. */
    public Result take(BatchReader.Batch batch, Origin origin, Target target, Listener listener) throws IOException {
        try (LogContext ignored = LogContext.request(batch.requestId())) {
            Result opened = open(batch, origin, null, target, listener);
            if (opened.outcome() != Outcome.STARTED) {
                return opened;
            }
            return read(batch, opened.opening(), target, listener);
        }
    }

    /**
     * Opens the batch's request: {@link Outcome#STARTED} when its records are to be read (call
     * {@link #read}); any other outcome is final.
     *
     * @param keep the document, kept with the request until its intake completes (for an intake in
     *             the background), or null
     */
    public Result open(BatchReader.Batch batch, Origin origin, byte[] keep, Target target, Listener listener) {
        Logger log = target.keeps() ? LOGGER : QUIET;
        String requestId = batch.requestId();
        BatchReader.Problem problem = batch.problem();
        if (problem != null && !origin.recordProblems()) {
            return new Result(Outcome.PROBLEM, requestId, problem.reason(), problem, 0, 0);
        }
        Opening opening = target.open(requestId, origin.source(), origin.sourceName(), batch.digest(),
                outboxBase(origin.sourceName(), requestId), problem == null ? keep : null);
        switch (opening.found()) {
            case DIFFERENT_DOCUMENT -> {
                String reason = "request_id '" + requestId + "': taken in before from a different document; "
                        + "a new document needs a new request_id";
                log.warn("{}: {}", describe(origin, requestId), reason);
                return new Result(Outcome.DIFFERENT_DOCUMENT, requestId, reason, null, 0, 0);
            }
            case REPLAY -> {
                log.info("{}: request {} was taken in before; nothing new is created", describe(origin, requestId), requestId);
                return Result.of(Outcome.REPLAYED, requestId);
            }
            case IN_PROGRESS -> {
                log.info("{}: request {} is being taken in right now; nothing new is created", describe(origin, requestId), requestId);
                return Result.of(Outcome.IN_PROGRESS, requestId);
            }
            default -> {
            }
        }
        if (problem != null) {
            BatchRecord whole = new BatchRecord(0, problem.ref(), null, null, problem.reason());
            listener.rejected(whole, problem.ref(), problem.reason());
            target.refuse(requestId, Preflight.clip(problem.ref(), 100), Preflight.clip(problem.reason(), Preflight.MAX_REASON), null);
            log.warn("{}: request {} refused whole: {}: {}", describe(origin, requestId), requestId, problem.ref(), problem.reason());
            return new Result(Outcome.REFUSED, requestId, problem.reason(), problem, 0, 1);
        }
        log.info("{}: request {} {}", describe(origin, requestId), requestId,
                opening.found() == Found.NEW ? "opened" : "resumed after record " + opening.recordsRead() + " (its intake was interrupted)");
        return new Result(Outcome.STARTED, requestId, null, null, 0, 0, opening);
    }

    /** Reads the records of an opened batch, writes them in batches and completes its request. */
    public Result read(BatchReader.Batch batch, Opening opening, Target target, Listener listener) throws IOException {
        try (LogContext ignored = LogContext.request(batch.requestId())) {
            return readRecords(batch, opening, target, listener);
        }
    }

    private Result readRecords(BatchReader.Batch batch, Opening opening, Target target, Listener listener) throws IOException {
        Logger log = target.keeps() ? LOGGER : QUIET;
        String requestId = batch.requestId();
        int skip = opening.recordsRead();
        Buffer buffer = new Buffer();
        int commands = 0;
        int rejected = 0;
        int read = skip;
        try (BatchSource records = batch.records()) {
            while (records.hasNext()) {
                BatchRecord record = records.next();
                if (record.seq() < skip) {
                    continue;   // written by an earlier, interrupted intake of this request
                }
                read = record.seq() + 1;
                if (read % progressEvery == 0) {
                    log.info("request {}: {} records read", requestId, read);
                }
                Preflight.Outcome outcome = preflight.take(record, requestId, target.now());
                if (outcome instanceof Preflight.Planned p) {
                    buffer.commands.addAll(p.commands());
                    commands += p.commands().size();
                    listener.planned(record, p.commands());
                } else if (outcome instanceof Preflight.Invalid i) {
                    buffer.commands.add(i.failure());
                    rejected++;
                    log.warn("request {}: rejected {}: {}", requestId, record.ref(), i.reason());
                    listener.rejected(record, record.ref(), i.reason());
                } else if (outcome instanceof Preflight.Unreadable u) {
                    buffer.errors.add(new IntakeError(record.seq(), Preflight.clip(record.ref(), 100), u.reason(), record.raw()));
                    rejected++;
                    listener.rejected(record, record.ref(), u.reason());
                }
                if (buffer.full(batchSize, flushEvery)) {
                    buffer.flush(target, requestId, read, listener);
                }
            }
        }
        buffer.flush(target, requestId, read, listener);
        target.complete(requestId);
        log.info("request {}: intake complete, {} records: {} commands, {} rejected", requestId, read, commands, rejected);
        return new Result(Outcome.TAKEN, requestId, null, null, commands, rejected);
    }

    /**
     * The base name of the request's outbox files: the file name without its extension, else the
     * request id, with every character a file name cannot safely hold replaced by {@code _}; when
     * anything was replaced, the first 8 hex of the original's SHA-256 are added, so that names
     * folding to the same text stay apart ({@code e-ä.json}, {@code e-ö.json}). The ledger makes it
     * unique among all requests ({@link IntakeWriter#open}).
     */
    static String outboxBase(String sourceName, String requestId) {
        String name = sourceName != null ? sourceName : requestId;
        int dot = name.lastIndexOf('.');
        if (sourceName != null && dot > 0) {
            name = name.substring(0, dot);
        }
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.startsWith(".")) {
            safe = "_" + safe.substring(1);
        }
        if (safe.length() > 150) {
            safe = safe.substring(0, 150);
        }
        if (!safe.equals(name)) {
            safe = safe + "-" + BatchReader.digest(name).substring(0, 8);
        }
        return safe;
    }

    private static String describe(Origin origin, String requestId) {
        return origin.sourceName() != null ? origin.sourceName() : origin.source();
    }

    /** The records read and not yet written. */
    private static final class Buffer {
        final List<NewCommand> commands = new ArrayList<>();
        final List<IntakeError> errors = new ArrayList<>();
        long since = System.nanoTime();

        boolean full(int batchSize, Duration flushEvery) {
            int size = commands.size() + errors.size();
            return size >= batchSize || (size > 0 && System.nanoTime() - since >= flushEvery.toNanos());
        }

        void flush(Target target, String requestId, int recordsRead, Listener listener) {
            target.write(requestId, commands, errors, recordsRead);
            listener.written(recordsRead);
            commands.clear();
            errors.clear();
            since = System.nanoTime();
        }
    }
}
