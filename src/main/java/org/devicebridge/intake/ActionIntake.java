package org.devicebridge.intake;

import org.devicebridge.ledger.IntakeWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The intake of a running bridge: every trigger's batches through the one {@link IntakePipeline}
 * into the ledger. Files ({@link FileIntake}), queue messages ({@link MessageIntake}) and schedule
 * firings are taken in the caller's thread ({@link #take}); an API body is opened and kept in the
 * ledger at once, and read in the background ({@link #start}), so the caller is answered before its
 * records are read. A kept document whose intake stopped (the bridge stopped, the ledger went away)
 * is taken up again by {@link #resumeStored}, here or on another instance.
 * <p>
 * Idempotent: the request id (given, or derived from the content) and the command ids (derived
 * from request id and position) are deterministic, so a batch read twice (dropped again,
 * redelivered, or re-read after a crash mid-intake) creates no second command.
 */
public class ActionIntake {

    private static final Logger LOG = LoggerFactory.getLogger(ActionIntake.class);

    private final IntakeWriter writer;
    private final BatchReader reader;
    private final IntakePipeline pipeline;
    private final IntakePipeline.Target target;
    private final ExecutorService background;
    private final int backgroundSlots;
    private final List<Consumer<String>> intakeCompleteListeners = new CopyOnWriteArrayList<>();

    /**
     * @param background runs the intakes of API bodies ({@code backgroundSlots} threads)
     */
    public ActionIntake(IntakeWriter writer, BatchReader reader, IntakePipeline pipeline, ExecutorService background,
                        int backgroundSlots) {
        this.writer = writer;
        this.reader = reader;
        this.pipeline = pipeline;
        this.background = background;
        this.backgroundSlots = backgroundSlots;
        this.target = new LedgerTarget(writer, this::intakeCompleted);
    }

    public BatchReader reader() {
        return reader;
    }

    public IntakeWriter writer() {
        return writer;
    }

    /** Registers a check told the request id each time a request's intake completes (e.g. whether its deadlines can be met). */
    public void onIntakeComplete(Consumer<String> listener) {
        intakeCompleteListeners.add(listener);
    }

    /** Takes the batch in, in the caller's thread: returns once its records are in the ledger (or it was refused). */
    public IntakePipeline.Result take(BatchReader.Batch batch, IntakePipeline.Origin origin, IntakePipeline.Listener listener)
            throws IOException {
        return pipeline.take(batch, origin, target, listener);
    }

    /**
     * Opens the batch's request, keeping the document in the ledger, and reads its records in the
     * background: {@link IntakePipeline.Outcome#STARTED} returns as soon as the request is opened.
     * Any other outcome (a replay, a reused request id, a batch refused whole) is final and nothing
     * is left to do.
     */
    public IntakePipeline.Result start(BatchReader.Batch batch, IntakePipeline.Origin origin, byte[] document) {
        IntakePipeline.Result opened = pipeline.open(batch, origin, document, target, IntakePipeline.Listener.NONE);
        if (opened.outcome() == IntakePipeline.Outcome.STARTED) {
            inBackground(batch, opened);
        }
        return opened;
    }

    /**
     * Takes up kept documents whose intake is not going on anywhere (the instance reading it
     * stopped, or its reading failed): leased here and read in the background. Called on a timer.
     */
    public void resumeStored() {
        for (IntakeWriter.StoredDocument stored : writer.leaseStoredDocuments(backgroundSlots, LedgerTarget.LEASE)) {
            try {
                BatchReader.Batch batch = reader.prepare(stored.document(), stored.requestId());
                IntakeWriter.Opening opening = new IntakeWriter.Opening(IntakeWriter.Found.RESUME, stored.requestId(),
                        stored.recordsRead(), null);
                LOG.info("request {} ({}): taking up its intake again after record {}", stored.requestId(), stored.source(),
                        opening.recordsRead());
                inBackground(batch, new IntakePipeline.Result(IntakePipeline.Outcome.STARTED, stored.requestId(), null, null, 0, 0,
                        opening));
            } catch (IOException | RuntimeException e) {
                LOG.warn("request {}: its kept document could not be taken up: {}", stored.requestId(), e.toString());
                writer.release(stored.requestId());
            }
        }
    }

    private void inBackground(BatchReader.Batch batch, IntakePipeline.Result opened) {
        String requestId = opened.requestId();
        try {
            background.execute(() -> {
                try {
                    pipeline.read(batch, opened.opening(), target, IntakePipeline.Listener.NONE);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("request {}: its intake stopped ({}); it is taken up again from where it stopped", requestId, e.toString());
                    try {
                        writer.release(requestId);
                    } catch (RuntimeException ignored) {
                        // the lease runs out by itself
                    }
                }
            });
        } catch (RejectedExecutionException e) {   // the bridge is stopping: the kept document waits for the next start
            LOG.info("request {}: its intake is left for the next start (the bridge is stopping)", requestId);
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

    /** Deterministic command id: the same request and position always give the same id. */
    public static String commandId(String requestId, int seq, int position) {
        return Preflight.commandId(requestId, seq, position);
    }

    /** How many records the pipeline writes per transaction, by default. */
    public static final int DEFAULT_BATCH_SIZE = 500;
    /** What was read is written at least this often. */
    public static final Duration DEFAULT_FLUSH_EVERY = Duration.ofMillis(200);
}
