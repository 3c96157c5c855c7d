package dev.loupe.think.run;

import dev.loupe.core.LoupeException;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a result file atomically: into a temp file beside it, renamed over the target when complete, so an
 * interrupted run never leaves half a trace file looking finished.
 */
public final class Output implements AutoCloseable {
    private final Path target;
    private final Path tmp;
    private final Writer writer;
    private boolean done;

    public Output(Path target) {
        this.target = target.toAbsolutePath();
        try {
            Files.createDirectories(this.target.getParent());
            this.tmp = this.target.resolveSibling("." + this.target.getFileName() + ".tmp");
            this.writer = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LoupeException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    public Writer writer() {
        return writer;
    }

    /** Makes the file visible under its name. */
    public void commit() {
        try {
            writer.close();
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        } catch (IOException e) {
            throw new LoupeException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    public static void write(Path target, String content) {
        try (Output o = new Output(target)) {
            o.writer().write(content);
            o.commit();
        } catch (IOException e) {
            throw new LoupeException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (done) return;
        try {
            writer.close();
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            // Cleaning up after a failure: the original failure is what the user needs to see.
        }
    }
}
