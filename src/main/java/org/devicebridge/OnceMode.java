package org.devicebridge;

import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.results.RequestReporter;
import org.devicebridge.results.Summary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One-shot runs ({@code --once}) for cron and Kubernetes jobs: once the inbox holds no batch and
 * every request taken from the inbox is reported (this run's, and those an earlier, interrupted
 * run left unfinished), prints a summary and completes {@link #exitCode()}: 0 when every action
 * succeeded, 1 when any failed, timed out, was cancelled or invalid (or the run took longer than
 * its maximum wait). Requests from other triggers (API, queue) are not waited for: they go on in
 * the next run, or in the long-running bridge.
 */
public class OnceMode {

    public static final int ALL_SUCCEEDED = 0;
    public static final int SOME_FAILED = 1;
    public static final int BAD_CONFIGURATION = 2;

    private static final Logger LOG = LoggerFactory.getLogger(OnceMode.class);
    /** The source of the requests the file intake opens. */
    private static final String INBOX = "file";

    private final Ledger ledger;
    private final CommandStore commandStore;
    private final LedgerReads reads;
    private final Path inbox;
    private final Pattern include;
    private final Instant giveUpAt;
    /** By request id: a report made again (its marking as reported failed) counts once. */
    private final Map<String, Summary> summaries = new ConcurrentHashMap<>();
    private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();

    /** @param enabled false in a long-running bridge: then this collects nothing and never completes */
    public OnceMode(boolean enabled, Ledger ledger, CommandStore commandStore, LedgerReads reads, RequestReporter reporter, Path inbox,
                    String includePattern, Duration maxWait) {
        this.ledger = ledger;
        this.commandStore = commandStore;
        this.reads = reads;
        this.inbox = inbox;
        this.include = Pattern.compile(includePattern);
        this.giveUpAt = ledger.now().plus(maxWait);
        if (enabled) {
            reporter.onSummary(s -> {
                if (fromInbox(s.requestId())) {
                    summaries.put(s.requestId(), s);
                }
            });
        }
    }

    public CompletableFuture<Integer> exitCode() {
        return exitCode;
    }

    /** Called on a timer: completes the exit code when nothing is left to do. */
    public void check() {
        if (exitCode.isDone()) {
            return;
        }
        boolean idle = batchesWaiting() == 0 && commandStore.openRequests().stream().noneMatch(r -> INBOX.equals(r.source()));
        if (!idle && ledger.now().isBefore(giveUpAt)) {
            return;
        }
        int failed = 0;
        int total = 0;
        for (Summary s : summaries.values()) {
            total += s.total();
            failed += s.total() - s.succeeded();
            LOG.info("summary {} ({}): {}", s.sourceName(), s.requestId(), s.line());
        }
        int code = failed > 0 ? SOME_FAILED : ALL_SUCCEEDED;
        if (!idle) {
            LOG.error("--once: gave up waiting; {} commands are still not final", reads.unfinishedCommands());
            code = SOME_FAILED;
        }
        LOG.info("--once: {} requests, {} actions, {} not succeeded; exit code {}", summaries.size(), total, failed, code);
        exitCode.complete(code);
    }

    private boolean fromInbox(String requestId) {
        return commandStore.request(requestId).map(r -> INBOX.equals(r.source())).orElse(false);
    }

    private long batchesWaiting() {
        if (!Files.isDirectory(inbox)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(inbox)) {
            return files.filter(Files::isRegularFile).filter(p -> include.matcher(p.getFileName().toString()).matches()).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
