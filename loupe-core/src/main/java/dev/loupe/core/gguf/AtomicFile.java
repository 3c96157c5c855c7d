package dev.loupe.core.gguf;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers only ever see the old file or the complete new one: the content goes to a
 * temporary file in the same directory (a rename is atomic only within one file system), is forced to
 * disk, and is then renamed over the target. On any failure the temporary file is deleted and the target
 * is left as it was. I/O failures become a one-line {@link GgufException}.
 */
public final class AtomicFile {
    private AtomicFile() {}

    @FunctionalInterface
    public interface Body {
        void write(FileChannel channel) throws IOException;
    }

    public static void write(Path target, Body body) {
        Path abs = target.toAbsolutePath();
        if (Files.isDirectory(abs)) throw new GgufException("cannot write " + target + ": it is a directory");
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new GgufException("cannot write " + target + ": directory " + dir + " does not exist");
        Path tmp = null;
        try {
            tmp = createTemp(dir, abs.getFileName().toString());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                body.write(ch);
                // Without this a crash after the rename could leave a renamed but empty file.
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (IOException e) {
            throw new GgufException("cannot write " + target + ": " + reason(e), e);
        } finally {
            if (tmp != null) deleteQuietly(tmp);
        }
    }

    /**
     * A fresh hidden file beside the target. Not {@link Files#createTempFile}: that one is mode 0600,
     * which the rename would carry over to the model file.
     */
    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 10) throw e;
            }
        }
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // The original failure is what the user needs to see; a leftover hidden temp file is secondary.
        }
    }

    /** The OS's reason without the Java exception class or a repeated path. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
