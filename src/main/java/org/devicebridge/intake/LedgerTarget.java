package org.devicebridge.intake;

import org.devicebridge.ledger.IntakeWriter;
import org.devicebridge.ledger.NewCommand;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The intake pipeline's target in a running bridge: the ledger, through {@link IntakeWriter}. */
final class LedgerTarget implements IntakePipeline.Target {

    /** How long an intake in the background holds its request before another may take it over (renewed with each batch). */
    static final Duration LEASE = Duration.ofMinutes(1);

    private final IntakeWriter writer;
    private final java.util.function.Consumer<String> completed;

    /** @param completed told the request id each time a request's intake completes (after the commit) */
    LedgerTarget(IntakeWriter writer, java.util.function.Consumer<String> completed) {
        this.writer = writer;
        this.completed = completed;
    }

    @Override
    public Instant now() {
        return writer.now();
    }

    @Override
    public IntakeWriter.Opening open(String requestId, String source, String sourceName, String digest, String outboxBase, byte[] keep) {
        return writer.open(requestId, source, sourceName, digest, outboxBase, keep, LEASE);
    }

    @Override
    public void write(String requestId, List<NewCommand> commands, List<IntakeWriter.IntakeError> errors, int recordsRead) {
        writer.write(requestId, commands, errors, recordsRead);
    }

    @Override
    public boolean complete(String requestId) {
        boolean done = writer.complete(requestId);
        if (done) {
            completed.accept(requestId);
        }
        return done;
    }

    @Override
    public boolean refuse(String requestId, String recordRef, String reason, String raw) {
        boolean done = writer.refuse(requestId, recordRef, reason, raw);
        if (done) {
            completed.accept(requestId);
        }
        return done;
    }
}
