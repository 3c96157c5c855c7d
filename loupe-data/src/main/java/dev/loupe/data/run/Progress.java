package dev.loupe.data.run;

import java.io.PrintStream;
import java.util.concurrent.atomic.LongAdder;

/**
 * A progress line on stderr: documents read, shards done, documents per second. Drawn by its own daemon thread
 * five times a second, and only when stderr is a terminal, so logs and pipes stay clean.
 */
public final class Progress implements AutoCloseable {
    private final LongAdder docs = new LongAdder();
    private final LongAdder shards = new LongAdder();
    private final int totalShards;
    private final long start = System.nanoTime();
    private final PrintStream err;
    private final Thread drawer;

    public Progress(int totalShards, boolean wanted, PrintStream err) {
        this.totalShards = totalShards;
        this.err = err;
        boolean tty = System.console() != null && System.console().isTerminal() && System.getenv("LOUPE_NO_PROGRESS") == null;
        if (wanted && tty) {
            drawer = Thread.ofPlatform().daemon().name("loupe-progress").start(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Thread.sleep(200);
                        draw(false);
                    }
                } catch (InterruptedException ignored) {
                    // closing
                }
            });
        } else {
            drawer = null;
        }
    }

    void document() {
        docs.increment();
    }

    void shardDone() {
        shards.increment();
    }

    public long documents() {
        return docs.sum();
    }

    private void draw(boolean end) {
        double secs = (System.nanoTime() - start) / 1e9;
        long n = docs.sum();
        long s = shards.sum();
        int width = 30;
        int filled = totalShards == 0 ? width : (int) (width * Math.min(s, totalShards) / totalShards);
        err.printf("\r[%s%s] %d/%d shards, %,d docs, %,.0f docs/s%s", "#".repeat(filled), " ".repeat(width - filled), s,
                totalShards, n, n / Math.max(secs, 1e-9), end ? "\n" : "");
        err.flush();
    }

    @Override
    public void close() {
        if (drawer != null) {
            drawer.interrupt();
            draw(true);
        }
    }
}
