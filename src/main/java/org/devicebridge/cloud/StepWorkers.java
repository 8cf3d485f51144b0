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
 */
public final class StepWorkers extends AbstractExecutorService {

    private final int size;
    private final ExecutorService pool;
    /** Steps handed over and not ended: running, or queued behind the running ones. */
    private final AtomicInteger busy = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();

    public StepWorkers(CamelContext context, String name, int size) {
        this.size = size;
        this.pool = context.getExecutorServiceManager().newFixedThreadPool(this, name, size);
    }

    /** How many more steps may be claimed now. */
    public int free() {
        return Math.max(0, size - busy.get());
    }

    /**
     * How many more steps may be claimed, waiting up to {@code maxMillis} for a thread to free when
     * all are busy: the dispatcher claims as a step ends, not on its next tick.
     */
    public int awaitFree(long maxMillis) throws InterruptedException {
        if (free() > 0) {
            return free();
        }
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(maxMillis);
            while (free() == 0 && nanos > 0 && !pool.isShutdown()) {
                nanos = freed.awaitNanos(nanos);
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
        if (busy.decrementAndGet() == size - 1) {   // a thread just freed after all were busy: wake the dispatcher
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
