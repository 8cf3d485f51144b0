package org.devicebridge.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.observe.LogContext;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.ledger.IntakeWriter;
import org.devicebridge.ledger.RequestCounts;
import org.devicebridge.ledger.RequestRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Writes the outbox files of a request from the ledger once every action of it is final:
 * {@code <name>.results.jsonl} (one line per command, in batch order, streamed from the ledger),
 * {@code <name>.errors.jsonl} (records rejected at intake, with their line and reason) and
 * {@code <name>.summary.json}. Each file is written to a temporary name and moved into place,
 * so a reader of the outbox never sees half a file. Also logs the progress of open requests.
 */
public class RequestReporter {

    private static final Logger LOG = LoggerFactory.getLogger(RequestReporter.class);

    private final CommandStore commandStore;
    private final LedgerReads reads;
    private final CommandView view;
    private final ObjectMapper mapper;
    private final Path outbox;
    private final IntakeWriter intake;
    private final List<Consumer<Summary>> listeners = new CopyOnWriteArrayList<>();
    /** The newest transition when the progress lines were last written. */
    private volatile long progressReportedUpTo = -1;

    public RequestReporter(CommandStore commandStore, LedgerReads reads, CommandView view, ObjectMapper mapper, Path outbox) {
        this(commandStore, reads, view, mapper, outbox, null);
    }

    /** @param intake where the intake keeps each request's unique outbox name and why it refused a batch whole; or null */
    public RequestReporter(CommandStore commandStore, LedgerReads reads, CommandView view, ObjectMapper mapper, Path outbox,
                           IntakeWriter intake) {
        this.commandStore = commandStore;
        this.reads = reads;
        this.view = view;
        this.mapper = mapper;
        this.outbox = outbox;
        this.intake = intake;
    }

    /**
     * Registers a listener told of each request summary once its files are written, before the request is marked
     * reported; a report made again (its marking failed) tells it again.
     */
    public void onSummary(Consumer<Summary> listener) {
        listeners.add(listener);
    }

    /** Marks requests whose commands are now all final; returns those ready to be reported. */
    public List<RequestRecord> due() {
        commandStore.requestsJustFinished().forEach(commandStore::markFinished);
        return commandStore.requestsToReport();
    }

    public Summary report(RequestRecord request) throws IOException {
        Files.createDirectories(outbox);
        IntakeWriter.IntakeInfo info = intake == null ? null : intake.info(request.id()).orElse(null);
        String base = info != null && info.outboxName() != null ? info.outboxName() : baseName(request);
        write(outbox.resolve(base + ".results.jsonl"), out -> reads.forEachCommand(request.id(), c -> line(out, view.of(c))));
        boolean[] anyRejected = {false};
        Path errors = outbox.resolve(base + ".errors.jsonl");
        write(errors, out -> reads.forEachRejectedRecord(request.id(), r -> {
            anyRejected[0] = true;
            ObjectNode n = mapper.createObjectNode();
            n.put("request_id", request.id());
            n.put("record", r.recordRef());
            n.put("reason", r.reason());
            line(out, n);
        }));
        if (!anyRejected[0]) {
            Files.deleteIfExists(errors);
        }
        Summary summary = view.summary(request);
        ObjectNode summaryJson = summary.toJson(mapper);
        if (info != null && info.refusedReason() != null) {
            summaryJson.put("refused", info.refusedReason());   // the batch was refused whole: why
        }
        write(outbox.resolve(base + ".summary.json"), out -> line(out, summaryJson));
        // told before the request counts as reported: a listener that waits for every request to be reported (--once)
        // never finds one reported whose summary it has not had yet; told again if this report is made again
        listeners.forEach(l -> l.accept(summary));
        commandStore.markReported(request.id());
        try (LogContext ignored = LogContext.request(request.id())) {
            LOG.info("request {} finished: {}", request.id(), summary.line());
        }
        return summary;
    }

    /**
     * One progress line per open request: how many of its actions are final, and how. Nothing when
     * no command moved since the last lines (one look at the newest transition): an idle bridge
     * does not count a backlog that stands still.
     */
    public void logProgress() {
        long newest = reads.newestTransitionId();
        if (newest == progressReportedUpTo) {
            return;
        }
        progressReportedUpTo = newest;
        for (RequestRecord r : commandStore.openRequests()) {
            try (LogContext ignored = LogContext.request(r.id())) {
                logProgress(r);
            }
        }
    }

    private void logProgress(RequestRecord r) {
        if (!r.intakeComplete() && intake != null) {   // counting a batch still being written would cost more than it tells
            LOG.info("request {}: still reading the batch, {} records taken in so far", r.id(),
                    intake.info(r.id()).map(IntakeWriter.IntakeInfo::recordsRead).orElse(0));
            return;
        }
        RequestCounts counts = reads.counts(r.id());
        LOG.info("request {}: {}/{} final ({} succeeded, {} failed, {} timed out, {} invalid){}", r.id(), counts.done(),
                counts.total(), counts.of(CommandState.SUCCESS), counts.of(CommandState.FAILURE),
                counts.of(CommandState.TIMEOUT), counts.invalid(), r.intakeComplete() ? "" : ", still reading the batch");
    }

    /**
     * Outbox names follow the input: {@code hr-sync.json} gives {@code hr-sync.results.jsonl}. The
     * intake chooses each request's name, unique among all requests; this is the name of a request
     * taken in before it did.
     */
    static String baseName(RequestRecord request) {
        String name = request.sourceName() != null ? request.sourceName() : request.id();
        int dot = name.lastIndexOf('.');
        if (dot > 0 && request.sourceName() != null) {
            name = name.substring(0, dot);
        }
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private interface Body {
        void writeTo(BufferedWriter out) throws IOException;
    }

    private void write(Path target, Body body) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            body.writeTo(out);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void line(BufferedWriter out, ObjectNode node) {
        try {
            out.write(mapper.writeValueAsString(node));
            out.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
