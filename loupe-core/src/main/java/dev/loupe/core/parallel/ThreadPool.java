package dev.loupe.core.parallel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that splits one index range evenly, the caller taking a share itself.
 * Built for the per-token loop: {@link #run} allocates nothing, and workers spin briefly before
 * parking so that the many small matrix-vector products of one token do not pay a wake-up each.
 */
public final class ThreadPool implements AutoCloseable {
    private static final int SPINS = 20_000;

    private final int threads;
    private final Thread[] workers;
    private volatile RangeTask task;
    private volatile int count;
    private volatile long generation;
    private volatile boolean closed;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Thread caller;
    private volatile Throwable failure;

    public ThreadPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1");
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            final int index = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("loupe-worker-" + index).start(() -> work(index));
        }
    }

    public static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code t} over [0, n), split into {@link #threads()} contiguous, nearly equal parts. */
    public void run(RangeTask t, int n) {
        if (threads == 1 || n < 2) {
            t.run(0, n);
            return;
        }
        task = t;
        count = n;
        caller = Thread.currentThread();
        pending.set(workers.length);
        generation = generation + 1;
        for (Thread w : workers) LockSupport.unpark(w);
        Throwable own = null;
        try {
            t.run(0, split(n, 0));
        } catch (Throwable e) {
            own = e;
        }
        int spins = 0;
        while (pending.get() > 0) {
            if (++spins > SPINS) LockSupport.parkNanos(this, 50_000);
            else Thread.onSpinWait();
        }
        task = null;
        Throwable f = own != null ? own : failure;
        failure = null;
        if (f instanceof RuntimeException re) throw re;
        if (f instanceof Error er) throw er;
        if (f != null) throw new RuntimeException(f);
    }

    private int split(int n, int part) {
        return (int) ((long) n * (part + 1) / threads);
    }

    private void work(int index) {
        long seen = 0;
        while (true) {
            int spins = 0;
            while (generation == seen) {
                if (closed) return;
                if (++spins > SPINS) LockSupport.park(this);
                else Thread.onSpinWait();
            }
            seen = generation;
            RangeTask t = task;
            int n = count;
            try {
                int from = (int) ((long) n * index / threads);
                t.run(from, split(n, index));
            } catch (Throwable e) {
                failure = e;
            }
            if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
