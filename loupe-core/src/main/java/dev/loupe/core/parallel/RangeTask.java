package dev.loupe.core.parallel;

/** Work over an index range, split across threads. Implementations are reused, so running one allocates nothing. */
@FunctionalInterface
public interface RangeTask {
    void run(int from, int to);
}
