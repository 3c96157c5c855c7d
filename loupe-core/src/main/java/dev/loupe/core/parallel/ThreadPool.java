package dev.loupe.core.parallel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that works through one index range in chunks, the caller taking chunks itself.
 * Built for the per-token loop: {@link #run} allocates nothing, and waiting threads spin briefly before
 * parking so that the many small matrix-vector products of one token do not pay a wake-up each.
 *
 * <p>Chunks are claimed dynamically (an atomic counter) rather than split statically: on a shared machine a
 * worker that is descheduled or still waking up would otherwise hold the caller until its fixed share is
 * done; here the others take its chunks, and {@link #run} returns once every index is done, without waiting
 * for threads that claimed nothing. A task must therefore not assume one call per thread, only that each
 * index of [0, n) is passed exactly once.
 *
 * <p>One {@link AtomicLong} holds the run's generation (high 32 bits) and the next unclaimed index (low 32):
 * a claim is a compare-and-set that also checks the generation, so a late worker can never claim indices of
 * a later run with the task of an earlier one. A new run first closes the counter (index {@link #CLOSED}),
 * then publishes task and size, then opens it at index 0.
 */
public final class ThreadPool implements AutoCloseable {
    private static final int SPINS = 20_000;
    private static final int CLOSED = Integer.MAX_VALUE;
    /** Least chunks per thread and run: the finest the tail of a run gets (claims of the rest are larger). */
    private static final int CHUNKS_PER_THREAD = 64;
    /** A claim takes 1/(this·threads) of the indices left (at least the least chunk). */
    private static final int GUIDED_SHARE = 2;

    private final int threads;
    private final Thread[] workers;
    /** 1 while worker i is parked or about to park: the caller unparks only those (unpark is a syscall). */
    private final AtomicIntegerArray parked;
    private final AtomicLong state = new AtomicLong(CLOSED);
    private final AtomicInteger completed = new AtomicInteger();
    private volatile RangeTask task;
    private volatile int count;
    private volatile int chunk;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile boolean callerParked;
    private volatile Throwable failure;

    public ThreadPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1");
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.parked = new AtomicIntegerArray(threads - 1);
        for (int i = 0; i < workers.length; i++) {
            final int index = i;
            workers[i] = Thread.ofPlatform().daemon().name("loupe-worker-" + (i + 1)).start(() -> work(index));
        }
    }

    public static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code t} over [0, n) in chunks spread over the team; each index is passed to {@code t} once. */
    public void run(RangeTask t, int n) {
        if (threads == 1 || n < 2) {
            t.run(0, n);
            return;
        }
        long generation = (state.get() >>> 32) + 1;
        state.set(generation << 32 | CLOSED);
        task = t;
        count = n;
        chunk = Math.max(1, n / (threads * CHUNKS_PER_THREAD));
        caller = Thread.currentThread();
        completed.set(0);
        state.set(generation << 32);
        for (int i = 0; i < workers.length; i++) if (parked.get(i) != 0) LockSupport.unpark(workers[i]);
        claimAll(generation, t, n);
        int spins = 0;
        while (completed.get() < n) {
            if (++spins > SPINS) {
                callerParked = true;
                if (completed.get() < n) LockSupport.parkNanos(this, 50_000);
                callerParked = false;
            } else {
                Thread.onSpinWait();
            }
        }
        task = null;
        Throwable f = failure;
        failure = null;
        if (f instanceof RuntimeException re) throw re;
        if (f instanceof Error er) throw er;
        if (f != null) throw new RuntimeException(f);
    }

    /**
     * Claims and runs chunks of generation {@code generation} until none is left. A chunk that throws is
     * recorded before it counts as done (the caller rethrows it), so the caller never waits forever.
     */
    private void claimAll(long generation, RangeTask t, int n) {
        int least = chunk;
        while (true) {
            long s = state.get();
            int from = (int) s;
            if (s >>> 32 != generation || from >= n) return;
            // Guided: a share of what is left, shrinking to the least chunk, so the run ends on small chunks and no
            // thread waits long for another's last one (measured with it, 1B Q4_0 decoding: ~0.7 ms of a ~106 ms token
            // spent waiting for a last chunk, ~0.9 ms for the worker to arrive).
            int to = Math.min(n, from + Math.max(least, (n - from) / (GUIDED_SHARE * threads)));
            if (!state.compareAndSet(s, generation << 32 | to)) continue;
            try {
                t.run(from, to);
            } catch (Throwable e) {
                failure = e;
            }
            if (completed.addAndGet(to - from) == n && callerParked) LockSupport.unpark(caller);
        }
    }

    private void work(int index) {
        long seen = 0;
        while (true) {
            int spins = 0;
            long s;
            while (((s = state.get()) >>> 32) == seen || (int) s == CLOSED) {
                if (closed) return;
                if (++spins > SPINS) {
                    parked.set(index, 1);
                    // Re-check after announcing: a run published before the flag was visible would not unpark.
                    s = state.get();
                    if (((s >>> 32) == seen || (int) s == CLOSED) && !closed) LockSupport.park(this);
                    parked.set(index, 0);
                } else {
                    Thread.onSpinWait();
                }
            }
            seen = s >>> 32;
            claimAll(seen, task, count);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
