package org.devicebridge.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.TransactionException;
import org.devicebridge.ledger.LedgerUnavailable;

import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The inbox (routes/intake-files.yaml): each batch file the file consumer hands over goes through
 * the one intake pipeline, then is archived, unchanged, under {@code done/}; its rejected records
 * are appended to the dead-letter folder as they are read.
 * <p>
 * When a file is complete ({@link Ready}): by default a file is complete once it stands under its
 * name (the producer writes it under a name the inbox ignores, a hidden {@code .name} or
 * {@code name.part}, and renames it when done); with {@code done-file}, once {@code <name>.done}
 * stands beside it.
 * <p>
 * Files that cannot go wrong: a symbolic link is refused (never followed), an empty file is refused,
 * a document that does not parse to its end or reuses another document's request id is refused
 * whole; each such file is one request with one rejected record saying why (errors file, summary),
 * and is archived. When the ledger cannot be reached the file stays in the inbox and is taken up
 * again, with growing pauses, until the ledger answers: its intake resumes after the last record
 * written, so nothing is lost and nothing taken twice. Only an error of the bridge itself (a bug)
 * moves a file to {@code failed/}.
 */
public class FileIntake {

    /** How a producer marks a file complete. */
    public enum Ready {
        /** complete once it stands under its name: written under a temporary name, then renamed */
        RENAME,
        /** complete once {@code <name>.done} stands beside it */
        DONE_FILE;

        public static Ready of(String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "rename" -> RENAME;
                case "done-file" -> DONE_FILE;
                default -> throw new IllegalArgumentException("bridge.inbox.ready: 'rename' or 'done-file', not '" + value + "'");
            };
        }
    }

    public static final String DONE_SUFFIX = ".done";

    private static final Logger LOG = LoggerFactory.getLogger(FileIntake.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);
    private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);

    private final ActionIntake intake;
    private final Path archive;
    private final Path deadLetter;
    private final Ready ready;
    private final ObjectMapper mapper;
    private final Clock clock;
    /** Files whose intake stopped on the ledger (or the disk): when to try again, and the pause after that. */
    private final Map<String, Retry> retries = new ConcurrentHashMap<>();

    private record Retry(Instant at, Duration pause) {
    }

    public FileIntake(ActionIntake intake, Path archive, Path deadLetter, Ready ready, ObjectMapper mapper, Clock clock) {
        this.intake = intake;
        this.archive = archive;
        this.deadLetter = deadLetter;
        this.ready = ready;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** One file of the inbox, handed over by the file consumer. */
    public void take(File handed) {
        Path file = handed.toPath().toAbsolutePath();
        String name = file.getFileName().toString();
        Path marker = file.resolveSibling(name + DONE_SUFFIX);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {   // taken away meanwhile
            retries.remove(name);
            return;
        }
        if (ready == Ready.DONE_FILE && !Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
            return;   // not complete yet
        }
        Retry retry = retries.get(name);
        if (retry != null && clock.instant().isBefore(retry.at())) {
            return;
        }
        try (DeadLetters deadLetters = new DeadLetters(name)) {
            IntakePipeline.Origin origin = new IntakePipeline.Origin("file", name, true);
            BatchReader.Batch batch = batchOf(file, intake.reader());
            if (batch == null) {
                return;
            }
            IntakePipeline.Result result = intake.take(batch, origin, deadLetters);
            if (result.outcome() == IntakePipeline.Outcome.DIFFERENT_DOCUMENT) {
                // the document is not taken under the id it names: it becomes a request of its own, refused
                String digest = batch.digest();
                intake.take(BatchReader.Batch.refused(derivedId(name, digest), digest, "document", result.reason()), origin, deadLetters);
            }
            archive(file, "done");
            Files.deleteIfExists(marker);
            if (retries.remove(name) != null) {
                LOG.info("{}: taken in after all", name);
            }
        } catch (IOException | UncheckedIOException e) {
            later(name, retry, e);
        } catch (RuntimeException e) {
            if (ledgerTrouble(e)) {
                later(name, retry, e);
            } else {
                failed(file, name, e);
            }
        }
    }

    /**
     * The ledger could not be reached or refused to go on (no connection, the connection lost, a
     * transaction that could not begin): the file is not at fault. A value the ledger refused (a
     * constraint) is: a fault of the bridge, whose checks should have caught it.
     */
    static boolean ledgerTrouble(RuntimeException e) {
        return LedgerUnavailable.causedBy(e) || e instanceof TransactionException
                || e instanceof DataAccessException && !(e instanceof DataIntegrityViolationException);
    }

    /** The file stays in the inbox and is taken up again after a pause growing up to {@link #LONGEST_PAUSE}. */
    private void later(String name, Retry retry, Exception e) {
        Duration pause = retry == null ? FIRST_PAUSE : min(retry.pause().multipliedBy(2), LONGEST_PAUSE);
        retries.put(name, new Retry(clock.instant().plus(pause), pause));
        if (retry == null || pause.equals(LONGEST_PAUSE)) {
            LOG.warn("{}: its intake stopped ({}); the file stays in the inbox and is taken up again in {} s, resuming after "
                    + "the last record written", name, cause(e), pause.toSeconds());
        }
    }

    /**
     * The batch in a dropped file (also for {@code --dry-run}): a link or an empty file is refused
     * whole; null when the file is gone or no regular file.
     */
    public static BatchReader.Batch batchOf(Path file, BatchReader reader) throws IOException {
        String name = file.getFileName().toString();
        if (Files.isSymbolicLink(file)) {
            String digest = BatchReader.digest("symbolic link " + name + " -> " + Files.readSymbolicLink(file));
            return BatchReader.Batch.refused(derivedId(name, digest), digest, "file",
                    "a symbolic link: links in the inbox are never followed; move the batch file itself into the inbox");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (Files.size(file) == 0) {
            String digest = BatchReader.digest(new byte[0]);
            return BatchReader.Batch.refused(derivedId(name, digest), digest, "file",
                    "the file is empty (0 bytes): there is nothing to take in; write the batch under a temporary name "
                            + "and rename it when it is complete");
        }
        return reader.prepare(file, null);
    }

    private static String derivedId(String name, String digest) {
        return "file:" + name + ":" + digest.substring(0, 16);
    }

    /** A failure of the bridge itself: the file goes to failed/ (unchanged), so that it does not come round again. */
    private void failed(Path file, String name, RuntimeException e) {
        LOG.error("{}: its intake failed on an error of the bridge; the file is moved to {}: {}", name, archive.resolve("failed"), e.toString(), e);
        try {
            archive(file, "failed");
        } catch (IOException moveFailed) {
            LOG.error("{}: could not be moved to failed/: {}", name, moveFailed.toString());
        }
        retries.remove(name);
    }

    /** Moves the file (a link itself, never its target) to {@code <archive>/<folder>/<time stamp>-<name>}. */
    private void archive(Path file, String folder) throws IOException {
        Path dir = archive.resolve(folder);
        Files.createDirectories(dir);
        String stamp = STAMP.format(clock.instant());
        String name = file.getFileName().toString();
        for (int n = 1; ; n++) {
            Path target = dir.resolve(stamp + (n == 1 ? "" : "-" + n) + "-" + name);
            try {
                Files.move(file, target);
                return;
            } catch (FileAlreadyExistsException e) {
                if (n == 100) {
                    throw e;
                }
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String cause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (root != e && root.getMessage() != null) {
            message = root.getMessage();
        }
        return message.length() > 300 ? message.substring(0, 300) + "…" : message;
    }

    /** {@code <dead-letter>/<file name>.rejected.jsonl}: one JSON line per rejected record, appended as they are read. */
    private final class DeadLetters implements IntakePipeline.Listener, AutoCloseable {
        private final String name;
        private BufferedWriter out;

        DeadLetters(String name) {
            this.name = name;
        }

        @Override
        public void rejected(BatchRecord record, String ref, String reason) {
            ObjectNode line = mapper.createObjectNode();
            line.put("record", ref);
            line.put("reason", reason);
            line.put("raw", record.raw());
            try {
                if (out == null) {
                    Files.createDirectories(deadLetter);
                    out = Files.newBufferedWriter(deadLetter.resolve(name + ".rejected.jsonl"), StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
                out.write(mapper.writeValueAsString(line));
                out.newLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void written(int recordsRead) {
            if (out != null) {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (out != null) {
                out.close();
            }
        }
    }
}
