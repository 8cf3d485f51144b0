package org.devicebridge.ledger;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Reports a ledger that cannot be reached once, not once per timer tick: while the database is
 * down every timer route (dispatch, deadlines, progress, fan-out, intake resume) fails on each
 * tick, and a stack trace for each would bury the one line that matters. The first failure is a
 * WARN line naming the route and the database's own words; further failures are counted and
 * summed up in one line per {@code every} while the outage lasts. The timers keep trying: when the
 * ledger is back, work goes on where it stopped (every step is claimed from the ledger).
 */
public final class LedgerOutageLog {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerOutageLog.class);

    private final Duration every;
    private final Clock clock;
    private Instant lastReport;
    private long unreported;

    public LedgerOutageLog(Duration every, Clock clock) {
        this.every = every;
        this.clock = clock;
    }

    /** Whether the exchange failed because the ledger could not be reached (else the route's error handler reports it). */
    public boolean isOutage(Exchange exchange) {
        return LedgerUnavailable.causedBy(failure(exchange));
    }

    /** Counts one failed tick; writes a line if none was written for {@code every}. */
    public synchronized void record(Exchange exchange) {
        Instant now = clock.instant();
        unreported++;
        if (lastReport != null && now.isBefore(lastReport.plus(every))) {
            return;
        }
        String cause = rootMessage(failure(exchange));
        if (lastReport == null || unreported == 1) {
            LOG.warn("The ledger cannot be reached (route {}): {}. The bridge keeps trying and goes on where it "
                    + "stopped once it is back; this is said again at most every {}s while it lasts.",
                    exchange.getFromRouteId(), cause, every.toSeconds());
        } else {
            LOG.warn("The ledger still cannot be reached: {} failed timer runs in the last {}s (last: route {}: {}).",
                    unreported, Duration.between(lastReport, now).toSeconds(), exchange.getFromRouteId(), cause);
        }
        lastReport = now;
        unreported = 0;
    }

    private static Throwable failure(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return caught != null ? caught : exchange.getException();
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == null ? "unknown" : root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
