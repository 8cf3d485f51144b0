package org.devicebridge.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.RequestCounts;
import org.devicebridge.ledger.RequestRecord;

import java.time.Instant;

/** A finished request's summary (docs/batch-format.md {@code <name>.summary.json}). */
public record Summary(String requestId, String sourceName, int total, int succeeded, int failed, int timedOut, int cancelled,
                      int invalid, Instant startedAt, Instant finishedAt) {

    public static Summary of(RequestRecord r, RequestCounts c) {
        return new Summary(r.id(), r.sourceName(), c.total(), c.of(CommandState.SUCCESS), c.of(CommandState.FAILURE),
                c.of(CommandState.TIMEOUT), c.of(CommandState.CANCELLED), c.invalid(), r.createdAt(), r.finishedAt());
    }

    /** Did every action of the request succeed? */
    public boolean allSucceeded() {
        return succeeded == total;
    }

    public ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode n = mapper.createObjectNode();
        n.put("request_id", requestId);
        n.put("total", total);
        n.put("succeeded", succeeded);
        n.put("failed", failed);
        n.put("timed_out", timedOut);
        n.put("cancelled", cancelled);
        n.put("invalid", invalid);
        n.put("started_at", CommandView.text(startedAt));
        n.put("finished_at", CommandView.text(finishedAt));
        return n;
    }

    public String line() {
        return String.format("%d actions: %d succeeded, %d failed, %d timed out, %d cancelled, %d invalid", total, succeeded,
                failed, timedOut, cancelled, invalid);
    }
}
