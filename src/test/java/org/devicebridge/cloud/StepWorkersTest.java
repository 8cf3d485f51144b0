package org.devicebridge.cloud;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** How many steps the dispatcher may claim: all free threads, and once all were busy, several at a time. */
class StepWorkersTest {

    @Test
    void aClaimAfterAllWereBusyWaitsForATenthOfTheThreadsToFree() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.start();
            StepWorkers workers = new StepWorkers(context, "step-workers-test", 20, TimeUnit.MINUTES.toMillis(1));
            CountDownLatch[] release = new CountDownLatch[20];
            for (int i = 0; i < 20; i++) {
                CountDownLatch latch = release[i] = new CountDownLatch(1);
                workers.execute(() -> await(latch));
            }
            assertThat(workers.free()).isZero();
            assertThat(workers.awaitFree(50)).as("none freed within the wait").isZero();

            CompletableFuture<Integer> claim = CompletableFuture.supplyAsync(() -> awaitFree(workers));
            release[0].countDown();
            waitUntilFree(workers, 1);
            assertThat(claim).as("one of 20 free: not yet worth a claim").isNotDone();
            release[1].countDown();
            assertThat(claim.get(10, TimeUnit.SECONDS)).isEqualTo(2);

            assertThat(workers.awaitFree(0)).as("free threads enough: no wait").isEqualTo(2);
            for (CountDownLatch latch : release) {
                latch.countDown();
            }
            waitUntilFree(workers, 20);
            workers.shutdown();
        }
    }

    @Test
    void aClaimWaitsNoLongerThanTheGatherTimeForMoreThreadsToFree() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.start();
            StepWorkers workers = new StepWorkers(context, "step-workers-test", 20, 1);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch hold = new CountDownLatch(1);
            workers.execute(() -> await(release));
            for (int i = 1; i < 20; i++) {
                workers.execute(() -> await(hold));
            }
            release.countDown();
            waitUntilFree(workers, 1);
            assertThat(workers.awaitFree(TimeUnit.MINUTES.toMillis(1))).as("the one free thread, after the gather time").isEqualTo(1);
            hold.countDown();
            waitUntilFree(workers, 20);
            workers.shutdown();
        }
    }

    @Test
    void fewThreadsClaimAsEachFrees() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.start();
            StepWorkers workers = new StepWorkers(context, "step-workers-test", 4, TimeUnit.MINUTES.toMillis(1));
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch hold = new CountDownLatch(1);
            workers.execute(() -> await(release));
            for (int i = 1; i < 4; i++) {
                workers.execute(() -> await(hold));
            }
            CompletableFuture<Integer> claim = CompletableFuture.supplyAsync(() -> awaitFree(workers));
            release.countDown();
            assertThat(claim.get(10, TimeUnit.SECONDS)).as("a tenth of 4 threads is one").isEqualTo(1);
            hold.countDown();
            waitUntilFree(workers, 4);
            workers.shutdown();
        }
    }

    private static int awaitFree(StepWorkers workers) {
        try {
            return workers.awaitFree(TimeUnit.MINUTES.toMillis(1));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitUntilFree(StepWorkers workers, int free) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (workers.free() < free && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertThat(workers.free()).isEqualTo(free);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
