package dev.loupe.data.run;

/**
 * How to run a pipeline (not what it computes, so none of this is part of the pipeline's identity).
 *
 * @param workers  threads for the local runner
 * @param strict   fail on the first corrupt input instead of counting and skipping it
 * @param progress draw a progress bar on stderr (only when it is a terminal)
 * @param fault    test hook; null in real runs
 */
public record RunOptions(int workers, boolean strict, boolean progress, InjectedFault fault) {
    public static RunOptions defaults() {
        return new RunOptions(Runtime.getRuntime().availableProcessors(), false, false, null);
    }

    public RunOptions withFault(InjectedFault f) {
        return new RunOptions(workers, strict, progress, f);
    }

    public RunOptions withWorkers(int w) {
        return new RunOptions(w, strict, progress, fault);
    }

    public RunOptions withStrict(boolean s) {
        return new RunOptions(workers, s, progress, fault);
    }
}
