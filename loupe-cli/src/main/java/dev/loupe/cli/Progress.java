package dev.loupe.cli;

import java.io.PrintWriter;

/**
 * A one-line progress display on stderr for long work. It draws only on a terminal, at most ten times a
 * second, so piped output and logs stay clean. With a known total it draws a bar and a percentage.
 */
final class Progress implements AutoCloseable {
    private static final int BAR = 30;

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final boolean enabled;
    private final boolean bytes;
    private long lastDraw;
    private long value;

    private Progress(PrintWriter err, String label, long total) {
        this(err, label, total, true);
    }

    private Progress(PrintWriter err, String label, long total, boolean bytes) {
        this.bytes = bytes;
        this.err = err;
        this.label = label;
        this.total = total;
        this.enabled = System.console() != null && System.console().isTerminal() && System.getenv("LOUPE_NO_PROGRESS") == null;
    }

    static Progress bytes(PrintWriter err, String label) {
        return new Progress(err, label, 0);
    }

    /** A bar filling up to {@code total} bytes. */
    static Progress bar(PrintWriter err, String label, long total) {
        return new Progress(err, label, total);
    }

    /** A bar counting {@code total} steps (forward passes, items) rather than bytes. */
    static Progress count(PrintWriter err, String label, long total) {
        return new Progress(err, label, total, false);
    }

    void update(long v) {
        value = v;
        long now = System.nanoTime();
        if (!enabled || now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        draw("");
    }

    private void draw(String suffix) {
        if (total > 0) {
            double f = Math.min(1.0, value / (double) total);
            int filled = (int) Math.round(f * BAR);
            String amount = bytes ? "%.1f/%.1f MiB".formatted(value / 1048576.0, total / 1048576.0) : value + "/" + total;
            err.printf("\r%s [%s%s] %3.0f%% %s%s", label, "#".repeat(filled), ".".repeat(BAR - filled), f * 100, amount, suffix);
        } else {
            err.printf("\r%s: %.1f MiB%s", label, value / 1048576.0, suffix);
        }
        err.flush();
    }

    @Override
    public void close() {
        if (enabled) {
            draw(" done%n".formatted());
        }
    }
}
