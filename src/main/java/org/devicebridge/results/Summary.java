package org.devicebridge.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.ledger.CommandState;
import org.devicebridge.ledger.RequestCounts;
import org.devicebridge.ledger.RequestRecord;

import java.time.Instant;

/** A finished request's summary (docs/batch-format.md {@code <name>.summary.json}). */
public record Summary(String requestId, String sourceName, int total, int succeeded, int failed, int timedOut, int cancelled,
                      int invalid, Instant startedAt, Instant finishedAt, int simulated, int confirmed) {

    public static Summary of(RequestRecord r, RequestCounts c) {
        return new Summary(r.id(), r.sourceName(), c.total(), c.of(CommandState.SUCCESS), c.of(CommandState.FAILURE),
                c.of(CommandState.TIMEOUT), c.of(CommandState.CANCELLED), c.invalid(), r.createdAt(), r.finishedAt(), 0, 0);
    }

    /**
     * The same with how many of its actions ran on the built-in simulator (no real device touched)
     * and how many were confirmed on the device by reading back what it holds.
     */
    public Summary with(int simulated, int confirmed) {
        return new Summary(requestId, sourceName, total, succeeded, failed, timedOut, cancelled, invalid, startedAt, finishedAt,
                simulated, confirmed);
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
        n.put("confirmed", confirmed);
        if (simulated > 0) {
            n.put("simulated", simulated);   // actions that touched no real device: the built-in simulator stood in
        }
        n.put("started_at", CommandView.text(startedAt));
        n.put("finished_at", CommandView.text(finishedAt));
        return n;
    }

    public String line() {
        return String.format("%d actions: %d succeeded, %d failed, %d timed out, %d cancelled, %d invalid", total, succeeded,
                failed, timedOut, cancelled, invalid) + (confirmed > 0 ? ", " + confirmed + " confirmed on the device" : "")
                + (simulated > 0 ? "; SIMULATED: " + simulated + " ran on the built-in simulator, no real device touched" : "");
    }
}
