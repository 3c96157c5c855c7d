package dev.loupe.core.parallel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThreadPoolTest {

    /** Every index of every run is passed exactly once, for sizes around the chunk boundaries and runs back to back. */
    @Test
    void everyIndexOnceAcrossManyRuns() {
        for (int threads : new int[] {2, 3}) {
            try (ThreadPool pool = new ThreadPool(threads)) {
                for (int n : new int[] {0, 1, 2, 3, 31, 32, 33, 100, 511, 512, 4097}) {
                    for (int rep = 0; rep < 10; rep++) {
                        AtomicIntegerArray seen = new AtomicIntegerArray(n);
                        int size = n;
                        pool.run((from, to) -> {
                            if (size > 0) assertThat(from).isLessThan(to); // no empty chunks
                            for (int i = from; i < to; i++) seen.incrementAndGet(i);
                        }, n);
                        for (int i = 0; i < n; i++) assertThat(seen.get(i)).as("threads %d n %d index %d", threads, n, i).isEqualTo(1);
                    }
                }
            }
        }
    }

    /**
     * A worker that stalls inside its first chunk does not hold the others: the caller takes every remaining
     * chunk (a static split would leave the worker's half undone, and the stalled worker would wait out its
     * 20 s limit and report it).
     */
    @Test
    void stalledWorkerChunksAreTakenByTheCaller() {
        try (ThreadPool pool = new ThreadPool(2)) {
            int n = 256;
            AtomicInteger done = new AtomicInteger();
            CountDownLatch othersDone = new CountDownLatch(1);
            AtomicInteger stalledSize = new AtomicInteger(-1);
            AtomicInteger releasedInTime = new AtomicInteger(-1);
            pool.run((from, to) -> {
                if (Thread.currentThread().getName().startsWith("loupe-worker") && stalledSize.compareAndSet(-1, to - from)) {
                    if (done.get() + (to - from) == n) othersDone.countDown();
                    try {
                        releasedInTime.set(othersDone.await(20, TimeUnit.SECONDS) ? 1 : 0);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                } else if (done.addAndGet(to - from) + Math.max(0, stalledSize.get()) == n) {
                    othersDone.countDown();
                }
            }, n);
            // The worker may not have woken before the caller finished everything; then nothing stalled.
            if (stalledSize.get() > 0) assertThat(releasedInTime.get()).isEqualTo(1);
            assertThat(done.get() + Math.max(0, stalledSize.get())).isEqualTo(n);
        }
    }

    @Test
    void aFailingChunkIsRethrownAndThePoolStaysUsable() {
        try (ThreadPool pool = new ThreadPool(2)) {
            assertThatThrownBy(() -> pool.run((from, to) -> {
                if (from <= 77 && 77 < to) throw new IllegalArgumentException("index 77");
            }, 200)).isInstanceOf(IllegalArgumentException.class).hasMessage("index 77");
            AtomicInteger sum = new AtomicInteger();
            pool.run((from, to) -> {
                for (int i = from; i < to; i++) sum.addAndGet(i);
            }, 1000);
            assertThat(sum.get()).isEqualTo(999 * 1000 / 2);
        }
    }
}
