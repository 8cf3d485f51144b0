package org.devicebridge.cloud;

import org.apache.camel.CamelContext;
import org.devicebridge.observe.LogContext;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads that make one cloud's steps: a fixed pool of {@code bridge.<cloud>.concurrency}
 * threads, owned by the bridge and managed by Camel (stopped with the context), that knows how
 * many of its threads are free.
 * <p>
 * A dispatch route claims only as many due steps as there are free threads and hands each to the
 * pool through a {@code wireTap}; it never waits for them. A step that ends frees its thread for the
 * next claim at once (the dispatch scheduler is greedy: a claim that found work looks again
 * immediately), so the steps in flight stay at the concurrency, instead of a batch waiting for its
 * slowest step before the next one is claimed. While every thread is busy the dispatcher waits for
 * the first to free ({@link #awaitFree}), so an empty claim means that nothing is due, and the
 * dispatch scheduler may look less often while the ledger has nothing to do.
 * <p>
 * While fewer than a tenth of the threads are free, the dispatcher claims when a tenth are, or
 * {@value #GATHER_MILLIS} ms after the first freed, whichever comes first: a claim is a statement and
 * a transaction of its own, and one for each step that ended had the dispatcher's thread at a sixth
 * of the bridge's samples under load (docs/engine.md).
 */
public final class StepWorkers extends AbstractExecutorService {

    /** The longest a claim waits, once a thread freed, for more to free. */
    static final long GATHER_MILLIS = 10;

    private final int size;
    /** Free threads worth a claim without waiting for more: a tenth of them, at least one. */
    private final int gather;
    private final long gatherMillis;
    private final ExecutorService pool;
    /** Steps handed over and not ended: running, or queued behind the running ones. */
    private final AtomicInteger busy = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();

    public StepWorkers(CamelContext context, String name, int size) {
        this(context, name, size, GATHER_MILLIS);
    }

    StepWorkers(CamelContext context, String name, int size, long gatherMillis) {
        this.size = size;
        this.gather = Math.max(1, size / 10);
        this.gatherMillis = gatherMillis;
        this.pool = context.getExecutorServiceManager().newFixedThreadPool(this, name, size);
    }

    /** How many more steps may be claimed now. */
    public int free() {
        return Math.max(0, size - busy.get());
    }

    /**
     * How many more steps may be claimed, waiting up to {@code maxMillis} for a thread to free when
     * all are busy, then up to {@value #GATHER_MILLIS} ms more for a tenth of them: the dispatcher claims
     * as steps end, not on its next tick, and for several at a time.
     */
    public int awaitFree(long maxMillis) throws InterruptedException {
        if (free() >= gather) {
            return free();
        }
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(maxMillis);
            while (free() == 0 && nanos > 0 && !pool.isShutdown()) {
                nanos = freed.awaitNanos(nanos);
            }
            long more = TimeUnit.MILLISECONDS.toNanos(gatherMillis);
            while (free() > 0 && free() < gather && more > 0 && !pool.isShutdown()) {
                more = freed.awaitNanos(more);
            }
        } finally {
            lock.unlock();
        }
        return free();
    }

    /** The concurrency: at most this many steps in flight. */
    public int size() {
        return size;
    }

    @Override
    public void execute(Runnable step) {
        busy.incrementAndGet();
        try {
            pool.execute(() -> {
                try {
                    step.run();
                } finally {
                    LogContext.clear(); // the step's request, command and device: not the next step's
                    ended();
                }
            });
        } catch (RejectedExecutionException e) {
            ended();
            throw e;
        }
    }

    private void ended() {
        int free = size - busy.decrementAndGet();
        if (free == 1 || free == gather) {   // the first thread free after all were busy, or enough for a claim: wake the dispatcher
            lock.lock();
            try {
                freed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void shutdown() {
        pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return pool.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitTermination(timeout, unit);
    }
}
