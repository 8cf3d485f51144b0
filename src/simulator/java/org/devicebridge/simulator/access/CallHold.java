package org.devicebridge.simulator.access;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Calls held at the cloud until a test lets them go: a call in flight that the test can look at
 * (what the bridge stored before sending it), or an answer that comes late. Each held call waits
 * at most 30 s.
 */
final class CallHold {

    private final AtomicReference<CountDownLatch> hold = new AtomicReference<>();
    private final AtomicInteger waiting = new AtomicInteger();

    /** Calls arriving from now on wait until the latch returned is counted down. */
    CountDownLatch hold() {
        CountDownLatch release = new CountDownLatch(1);
        hold.set(release);
        return release;
    }

    /** Calls waiting now. */
    int held() {
        return waiting.get();
    }

    /** Called by a handler before it takes a call: waits while a hold is on. */
    void await() {
        CountDownLatch release = hold.get();
        if (release == null || release.getCount() == 0) {
            return;
        }
        waiting.incrementAndGet();
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiting.decrementAndGet();
        }
    }
}
