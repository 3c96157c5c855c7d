package dev.loupe.eval.backend;

/** Waiting, behind an interface so tests of backoff and rate limits run instantly and can see the waits. */
@FunctionalInterface
public interface Sleeper {
    void sleep(long nanos) throws InterruptedException;

    Sleeper REAL = nanos -> { if (nanos > 0) Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)); };
}
