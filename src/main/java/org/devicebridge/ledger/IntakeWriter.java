package org.devicebridge.ledger;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The intake's writes to the ledger, on the ledger's own DataSource: opening a request (with its
 * unique outbox name, and the document when it is taken in in the background), writing its records
 * hundreds per transaction with JDBC batch inserts, completing or refusing it.
 * <p>
 * Idempotent like the rest of the ledger: command ids are deterministic, a batch skips what an
 * earlier (interrupted) intake of the same request wrote, and {@code records_read} moves with each
 * batch in the same transaction, so an interrupted intake resumes after the last committed record.
 */
public class IntakeWriter {

    /** What {@link #open} found. */
    public enum Found {
        /** A new request: its records are to be taken in. */
        NEW,
        /** The request was opened before and its intake did not complete: take in what is missing. */
        RESUME,
        /** The same document was taken in completely before: nothing new is created. */
        REPLAY,
        /** The request's intake is going on right now elsewhere (another instance or thread holds its lease). */
        IN_PROGRESS,
        /** The request id was taken in before from a different document: nothing of this one is taken in. */
        DIFFERENT_DOCUMENT
    }

    /**
     * The outcome of {@link #open}.
     *
     * @param recordsRead every record before this position is in the ledger already
     */
    public record Opening(Found found, String requestId, int recordsRead, String outboxName) {
    }

    /** A record that never became a command (unreadable, unknown kind): a {@code bridge_intake_error} row. */
    public record IntakeError(int seq, String recordRef, String reason, String raw) {
    }

    /** A document kept for an intake in the background, leased to this instance. */
    public record StoredDocument(String requestId, String source, String digest, byte[] document, int recordsRead) {
    }

    /** What the status API shows of a request's intake. */
    public record IntakeInfo(int recordsRead, String outboxName, String refusedReason, boolean inBackground) {
    }

    private final Ledger ledger;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final String owner = "intake-" + UUID.randomUUID();

    public IntakeWriter(Ledger ledger) {
        this.ledger = ledger;
        this.jdbc = ledger.jdbc();
        this.tx = ledger.tx();
    }

    public Instant now() {
        return ledger.now();
    }

    /**
     * Opens a request, or finds it opened before.
     *
     * @param digest     SHA-256 (hex) of the document; a request opened before with another digest is
     *                   {@link Found#DIFFERENT_DOCUMENT} (requests without one, from older versions, match any)
     * @param outboxBase the wished base name of its outbox files; made unique here
     * @param document   the document, kept until the intake completes, when it is read in the background
     *                   (the request is then leased to this instance for {@code lease}); else null
     */
    public Opening open(String requestId, String source, String sourceName, String digest, String outboxBase,
                        byte[] document, Duration lease) {
        for (int attempt = 1; ; attempt++) {
            Optional<Opening> existing = existing(requestId, digest, document != null, lease);
            if (existing.isPresent()) {
                return existing.get();
            }
            String name = freeOutboxName(outboxBase, requestId);
            try {
                Instant now = now();
                tx.executeWithoutResult(status -> {
                    jdbc.update("INSERT INTO bridge_request (id, source, source_name, created_at, document_digest, outbox_name, "
                                    + "intake_owner, intake_lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            requestId, source, sourceName, Ledger.ts(now), digest, name, document == null ? null : owner,
                            document == null ? null : Ledger.ts(now.plus(lease)));
                    if (document != null) {
                        jdbc.update("INSERT INTO bridge_intake_document (request_id, document) VALUES (?, ?)", requestId, document);
                    }
                });
                return new Opening(Found.NEW, requestId, 0, name);
            } catch (DuplicateKeyException e) {
                // opened at the same moment elsewhere, or the outbox name was taken meanwhile: look again
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private Optional<Opening> existing(String requestId, String digest, boolean background, Duration lease) {
        List<Object[]> rows = jdbc.query("SELECT intake_complete, document_digest, records_read, outbox_name, intake_lease_until "
                        + "FROM bridge_request WHERE id = ?",
                (rs, i) -> new Object[] {rs.getBoolean(1), rs.getString(2), rs.getInt(3), rs.getString(4), Ledger.instant(rs, 5)},
                requestId);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] r = rows.get(0);
        String stored = (String) r[1];
        if (stored != null && digest != null && !stored.equals(digest)) {
            return Optional.of(new Opening(Found.DIFFERENT_DOCUMENT, requestId, (Integer) r[2], (String) r[3]));
        }
        if ((Boolean) r[0]) {
            return Optional.of(new Opening(Found.REPLAY, requestId, (Integer) r[2], (String) r[3]));
        }
        Instant leasedUntil = (Instant) r[4];
        if (leasedUntil != null && leasedUntil.isAfter(now())) {
            return Optional.of(new Opening(Found.IN_PROGRESS, requestId, (Integer) r[2], (String) r[3]));
        }
        if (background && !lease(requestId, lease)) {
            return Optional.of(new Opening(Found.IN_PROGRESS, requestId, (Integer) r[2], (String) r[3]));
        }
        return Optional.of(new Opening(Found.RESUME, requestId, (Integer) r[2], (String) r[3]));
    }

    /** The base name itself, else with a digest of the request id, else numbered: the first no other request holds. */
    private String freeOutboxName(String base, String requestId) {
        List<String> candidates = new ArrayList<>(List.of(base, base + "-" + sha256(requestId).substring(0, 8)));
        for (int n = 2; n < 100; n++) {
            candidates.add(base + "-" + sha256(requestId).substring(0, 8) + "-" + n);
        }
        for (String candidate : candidates) {
            Integer taken = jdbc.queryForObject("SELECT COUNT(*) FROM bridge_request WHERE outbox_name = ?", Integer.class, candidate);
            if (taken == null || taken == 0) {
                return candidate;
            }
        }
        return base + "-" + UUID.randomUUID();
    }

    /**
     * Writes a batch of records in one transaction: the commands (with their first transitions) and
     * the unreadable records, skipping those an earlier intake of the request wrote, and moves the
     * request's {@code records_read} to {@code recordsRead}.
     *
     * @return how many commands were new
     */
    public int write(String requestId, List<NewCommand> commands, List<IntakeError> errors, int recordsRead) {
        for (int attempt = 1; ; attempt++) {
            try {
                Integer added = tx.execute(status -> insert(requestId, commands, errors, recordsRead));
                return added == null ? 0 : added;
            } catch (DuplicateKeyException e) {
                // another intake of the same request wrote some of them after we looked: look again
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private int insert(String requestId, List<NewCommand> commands, List<IntakeError> errors, int recordsRead) {
        Instant now = now();
        int fresh = 0;
        if (!commands.isEmpty() || !errors.isEmpty()) {
            int min = Integer.MAX_VALUE;
            int max = Integer.MIN_VALUE;
            for (NewCommand c : commands) {
                min = Math.min(min, c.seq());
                max = Math.max(max, c.seq());
            }
            for (IntakeError e : errors) {
                min = Math.min(min, e.seq());
                max = Math.max(max, e.seq());
            }
            // what an earlier intake of the request wrote, by position (so also commands whose ids an older version derived otherwise)
            Set<Long> existing = new HashSet<>();
            if (!commands.isEmpty()) {
                jdbc.query("SELECT seq, position FROM bridge_command WHERE request_id = ? AND seq BETWEEN ? AND ? AND internal = FALSE",
                        rs -> {
                            existing.add(at(rs.getInt(1), rs.getInt(2)));
                        }, requestId, min, max);
            }
            Set<Integer> existingErrors = errors.isEmpty() ? Set.of() : new HashSet<>(jdbc.queryForList(
                    "SELECT seq FROM bridge_intake_error WHERE request_id = ? AND seq BETWEEN ? AND ?", Integer.class, requestId, min, max));
            List<Object[]> rows = new ArrayList<>(commands.size());
            List<Object[]> transitions = new ArrayList<>(commands.size());
            for (NewCommand c : commands) {
                if (existing.contains(at(c.seq(), c.position()))) {
                    continue;
                }
                boolean last = c.state().isFinal();
                rows.add(new Object[] {c.id(), c.requestId(), c.seq(), c.position(), c.recordRef(), c.actionId(), c.kind(), c.device(),
                        c.state().label(), c.invalid(), c.payload(), c.phase(), c.reason(), Ledger.ts(c.nextAttemptAt()),
                        Ledger.ts(c.deadlineAt()), Ledger.ts(now), Ledger.ts(now), last ? Ledger.ts(now) : null,
                        last ? Ledger.FINISHED_RANK : 1});
                transitions.add(new Object[] {c.id(), Ledger.ts(now), c.state().label(), c.reason()});
            }
            if (!rows.isEmpty()) {
                jdbc.batchUpdate("INSERT INTO bridge_command (id, request_id, seq, position, record_ref, action_id, kind, device, state, "
                        + "invalid, payload, phase, reason, next_attempt_at, deadline_at, created_at, updated_at, finished_at, queue_rank) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
                jdbc.batchUpdate(Ledger.INSERT_FIRST_TRANSITION, transitions);
            }
            List<Object[]> errorRows = new ArrayList<>(errors.size());
            for (IntakeError e : errors) {
                if (!existingErrors.contains(e.seq())) {
                    errorRows.add(new Object[] {requestId, e.seq(), e.recordRef(), e.reason(), e.raw()});
                }
            }
            if (!errorRows.isEmpty()) {
                jdbc.batchUpdate("INSERT INTO bridge_intake_error (request_id, seq, record_ref, reason, raw) VALUES (?, ?, ?, ?, ?)",
                        errorRows);
            }
            fresh = rows.size();
        }
        jdbc.update("UPDATE bridge_request SET records_read = ?, intake_lease_until = CASE WHEN intake_owner = ? THEN ? "
                        + "ELSE intake_lease_until END WHERE id = ? AND records_read < ?",
                recordsRead, owner, Ledger.ts(now.plus(Duration.ofMinutes(1))), requestId, recordsRead);
        return fresh;
    }

    /**
     * Marks the end of the request's intake (it is finished once every command is final) and lets go
     * of its kept document.
     *
     * @return false when its intake was complete before
     */
    public boolean complete(String requestId) {
        Boolean done = tx.execute(status -> {
            int n = jdbc.update("UPDATE bridge_request SET intake_complete = TRUE, intake_done_at = ?, intake_owner = NULL, "
                    + "intake_lease_until = NULL WHERE id = ? AND intake_complete = FALSE", Ledger.ts(now()), requestId);
            jdbc.update("DELETE FROM bridge_intake_document WHERE request_id = ?", requestId);
            return n == 1;
        });
        return Boolean.TRUE.equals(done);
    }

    /**
     * Refuses the request's batch whole: one rejected record naming why, the reason kept with the
     * request (its summary says it), and its intake complete.
     *
     * @return false when its intake was complete before
     */
    public boolean refuse(String requestId, String recordRef, String reason, String raw) {
        tx.executeWithoutResult(status -> {
            Integer known = jdbc.queryForObject("SELECT COUNT(*) FROM bridge_intake_error WHERE request_id = ? AND seq = 0",
                    Integer.class, requestId);
            if (known == null || known == 0) {
                jdbc.update("INSERT INTO bridge_intake_error (request_id, seq, record_ref, reason, raw) VALUES (?, 0, ?, ?, ?)",
                        requestId, recordRef, reason, raw);
            }
            jdbc.update("UPDATE bridge_request SET refused_reason = ? WHERE id = ?", reason, requestId);
        });
        return complete(requestId);
    }

    /**
     * Leases up to {@code limit} requests whose kept document is waiting to be taken in (its intake in
     * the background stopped with its instance, or its lease ran out) to this instance.
     */
    public List<StoredDocument> leaseStoredDocuments(int limit, Duration lease) {
        Instant now = now();
        List<String> ids = jdbc.queryForList("SELECT r.id FROM bridge_request r JOIN bridge_intake_document d ON d.request_id = r.id "
                + "WHERE r.intake_complete = FALSE AND (r.intake_lease_until IS NULL OR r.intake_lease_until < ?) "
                + "ORDER BY r.created_at FETCH FIRST " + limit + " ROWS ONLY", String.class, Ledger.ts(now));
        List<StoredDocument> leased = new ArrayList<>();
        for (String id : ids) {
            if (lease(id, lease)) {
                jdbc.query("SELECT r.source, r.document_digest, d.document, r.records_read FROM bridge_request r "
                        + "JOIN bridge_intake_document d ON d.request_id = r.id WHERE r.id = ?", rs -> {
                    leased.add(new StoredDocument(id, rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getInt(4)));
                }, id);
            }
        }
        return leased;
    }

    private boolean lease(String requestId, Duration lease) {
        Instant now = now();
        return jdbc.update("UPDATE bridge_request SET intake_owner = ?, intake_lease_until = ? WHERE id = ? AND intake_complete = FALSE "
                + "AND (intake_lease_until IS NULL OR intake_lease_until < ? OR intake_owner = ?)", owner, Ledger.ts(now.plus(lease)),
                requestId, Ledger.ts(now), owner) == 1;
    }

    /** Lets go of the request's lease (its intake stopped here; another attempt may take it at once). */
    public void release(String requestId) {
        jdbc.update("UPDATE bridge_request SET intake_lease_until = NULL WHERE id = ? AND intake_owner = ?", requestId, owner);
    }

    /** What the status API shows of the request's intake; empty for an unknown request. */
    public Optional<IntakeInfo> info(String requestId) {
        return jdbc.query("SELECT r.records_read, r.outbox_name, r.refused_reason, "
                        + "(SELECT COUNT(*) FROM bridge_intake_document d WHERE d.request_id = r.id) FROM bridge_request r WHERE r.id = ?",
                (rs, i) -> new IntakeInfo(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getInt(4) > 0), requestId)
                .stream().findFirst();
    }

    /** The request's first {@code limit} rejected records, in batch order. */
    public List<RejectedRecord> rejected(String requestId, int limit) {
        return jdbc.query("SELECT seq, record_ref, reason, raw FROM bridge_intake_error WHERE request_id = ? "
                        + "UNION ALL SELECT seq, record_ref, reason, payload FROM bridge_command WHERE request_id = ? AND invalid = TRUE "
                        + "ORDER BY 1 FETCH FIRST " + limit + " ROWS ONLY",
                (rs, i) -> new RejectedRecord(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4)), requestId, requestId);
    }

    private static long at(int seq, int position) {
        return ((long) seq << 32) | (position & 0xFFFFFFFFL);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
