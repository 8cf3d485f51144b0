package org.devicebridge.ledger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Group commit for an embedded H2 ledger: the outcomes of the steps that end at about the same time,
 * each recorded by its own worker, are written by one of a few writer threads in one transaction and
 * made durable by one commit, instead of one commit each.
 * <p>
 * Why: H2 writes every commit as a new chunk of the file, and a chunk holds every page changed since
 * the last one, whole; the pages steps share (the end of the call log, of the transition log, the
 * queue's index) are written again with each commit, and the commits queue one behind the other on
 * H2's store lock. One commit for many steps writes each such page once (docs/engine.md).
 * <p>
 * What holds as before: a worker's {@link #run} returns only once its step's writes are committed
 * (stored before its next call); each step runs in a savepoint of its own, so a step that throws
 * leaves nothing and the others in the group are kept; the step's after-commit actions (state-change
 * and call listeners) are run by its own worker after the commit, never for writes rolled back. A
 * commit that fails fails every step of the group (each is taken again once its lease runs out, as
 * after a crash). There is no added wait: the writer takes whatever steps queued up while it wrote
 * the last group, at most {@code maxSteps}.
 */
public final class GroupCommit implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    private final Ledger ledger;
    private final int maxSteps;
    private final BlockingQueue<Step> queue = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean closed;
    /** Groups committed and the steps in them, told when it stops: how many steps a commit took on average. */
    private final LongAdder commits = new LongAdder();
    private final LongAdder steps = new LongAdder();

    private record Step(Runnable writes, Map<String, String> logContext, CompletableFuture<List<Runnable>> done) {
    }

    /**
     * @param maxSteps the most steps written in one transaction
     * @param writers  threads writing groups, each on a connection of its own: one writes its group's steps
     *                 while another's commit is stored (steps seldom share a row; when two groups do, the
     *                 second waits for the first's commit)
     */
    public GroupCommit(Ledger ledger, int maxSteps, int writers) {
        if (maxSteps < 2) {
            throw new IllegalArgumentException("a group commit of fewer than 2 steps is no group");
        }
        this.ledger = ledger;
        this.maxSteps = maxSteps;
        for (int i = 1; i <= writers; i++) {
            Thread writer = new Thread(this::writeGroups, "ledger group commit " + i);
            writer.setDaemon(true);
            writer.start();
            this.writers.add(writer);
        }
    }

    /**
     * Runs {@code writes} in the next group's transaction and returns once that commits; then runs
     * the step's after-commit actions on the calling thread.
     *
     * @throws RuntimeException what {@code writes} threw (its writes undone), or why the commit failed
     */
    public void run(Runnable writes) {
        if (closed) {
            throw new IllegalStateException("the ledger's group commit is stopped");
        }
        Step step = new Step(writes, MDC.getCopyOfContextMap(), new CompletableFuture<>());
        queue.add(step);
        List<Runnable> afterCommit;
        try {
            afterCommit = awaitCommit(step);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the ledger's commit", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
        afterCommit.forEach(Runnable::run);
    }

    private List<Runnable> awaitCommit(Step step) throws InterruptedException, ExecutionException {
        while (true) {
            try {
                return step.done().get(1, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (writers.stream().noneMatch(Thread::isAlive)) { // stopped after this step was queued: nobody will write it
                    step.done().completeExceptionally(new IllegalStateException("the ledger's group commit is stopped"));
                }
            }
        }
    }

    private void writeGroups() {
        List<Step> group = new ArrayList<>();
        while (!closed) {
            try {
                Step first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group, maxSteps - 1);
                write(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                // the group's commit failed: none of its steps was written
                LOG.debug("group commit of {} steps failed: {}", group.size(), e.toString());
                group.forEach(s -> s.done().completeExceptionally(e));
            } finally {
                group.clear();
            }
        }
        IllegalStateException stopped = new IllegalStateException("the ledger's group commit is stopped");
        for (Step s; (s = queue.poll()) != null; ) {
            s.done().completeExceptionally(stopped);
        }
    }

    private void write(List<Step> group) {
        List<Step> kept = new ArrayList<>(group.size());
        List<List<Runnable>> keptAfterCommit = new ArrayList<>(group.size());
        ledger.inTransaction(() -> {
            for (Step step : group) {
                List<Runnable> afterCommit = new ArrayList<>();
                Map<String, String> previous = MDC.getCopyOfContextMap();
                setLogContext(step.logContext()); // the step's own log lines name its request, command, device
                try {
                    ledger.groupStep(step.writes(), afterCommit);
                    kept.add(step);
                    keptAfterCommit.add(afterCommit);
                } catch (RuntimeException e) {
                    step.done().completeExceptionally(e); // its savepoint rolled back; the others go on
                } finally {
                    setLogContext(previous);
                }
            }
        });
        commits.increment();
        steps.add(group.size());
        for (int i = 0; i < kept.size(); i++) {
            kept.get(i).done().complete(keptAfterCommit.get(i));
        }
    }

    private static void setLogContext(Map<String, String> context) {
        if (context == null) {
            MDC.clear();
        } else {
            MDC.setContextMap(context);
        }
    }

    /** Stops the writer once the group it writes is committed; steps still queued fail. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        for (Thread writer : writers) {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        }
        LOG.debug("ledger group commit: {} steps in {} commits", steps.sum(), commits.sum());
    }
}
