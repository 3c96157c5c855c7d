package dev.loupe.cli;

import java.io.PrintWriter;

/**
 * A one-line progress display on stderr for long work. It draws only on a terminal, at most ten times a
 * second, so piped output and logs stay clean.
 */
final class Progress implements AutoCloseable {
    private final PrintWriter err;
    private final String label;
    private final boolean enabled;
    private long lastDraw;
    private long value;

    private Progress(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
        this.enabled = System.console() != null && System.console().isTerminal() && System.getenv("LOUPE_NO_PROGRESS") == null;
    }

    static Progress bytes(PrintWriter err, String label) {
        return new Progress(err, label);
    }

    void update(long v) {
        value = v;
        long now = System.nanoTime();
        if (!enabled || now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        err.printf("\r%s: %.1f MiB", label, value / 1048576.0);
        err.flush();
    }

    @Override
    public void close() {
        if (enabled) {
            err.printf("\r%s: %.1f MiB done%n", label, value / 1048576.0);
            err.flush();
        }
    }
}
