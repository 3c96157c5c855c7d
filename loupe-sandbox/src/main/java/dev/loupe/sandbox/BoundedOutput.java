package dev.loupe.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Drains a process stream on its own thread, keeping at most {@code cap} bytes: a run that prints forever must
 * neither block on a full pipe nor fill the caller's heap.
 */
final class BoundedOutput {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final Thread reader;
    private volatile boolean truncated;

    BoundedOutput(InputStream in, int cap) {
        this.reader = Thread.ofVirtual().start(() -> drain(in, cap));
    }

    private void drain(InputStream in, int cap) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                int room = cap - kept.size();
                if (room > 0) kept.write(buf, 0, Math.min(room, n));
                if (n > room) truncated = true;
            }
        } catch (IOException e) {
            // The process was killed and its pipe closed under us: what was read so far is the output.
        }
    }

    /**
     * Waits for the stream to end (the process and all its children have exited; the PID namespace guarantees
     * that once the run is killed) and returns what was kept.
     */
    String text() {
        try {
            reader.join(java.time.Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while reading output", e));
        }
        return kept.toString(StandardCharsets.UTF_8);
    }

    boolean truncated() {
        return truncated;
    }
}
