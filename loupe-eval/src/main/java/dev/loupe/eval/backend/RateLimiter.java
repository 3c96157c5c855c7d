package dev.loupe.eval.backend;

import java.util.function.LongSupplier;

/** Spaces request starts at least 1/rate apart: simple, and enough to keep under a provider's per-second quota. */
public final class RateLimiter {
    private final long intervalNanos;
    private final LongSupplier clock;
    private final Sleeper sleeper;
    private long next = Long.MIN_VALUE;

    public RateLimiter(double perSecond, LongSupplier clock, Sleeper sleeper) {
        this.intervalNanos = perSecond <= 0 ? 0 : (long) (1e9 / perSecond);
        this.clock = clock;
        this.sleeper = sleeper;
    }

    public synchronized void acquire() throws InterruptedException {
        if (intervalNanos == 0) return;
        long now = clock.getAsLong();
        if (next != Long.MIN_VALUE && now < next) {
            sleeper.sleep(next - now);
            now = next;
        }
        next = now + intervalNanos;
    }
}
