package dev.loupe.cli;

import dev.loupe.core.model.ModelFingerprint;
import dev.loupe.core.model.Session;
import dev.loupe.core.model.SessionFile;
import dev.loupe.core.model.SessionFileException;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --prompt-cache FILE} for {@code run} and {@code chat}, as llama.cpp's: the prompt's keys and values are saved
 * after it is processed, and a later prompt that starts with the same tokens starts from them. A file that is missing
 * is simply created; one that is damaged or was made for another model or cache type is reported in one warning line
 * and the prompt is computed from scratch, so the output never depends on the file.
 */
final class PromptCacheOptions {
    @Option(names = "--prompt-cache", paramLabel = "FILE",
            description = "Save the prompt's KV cache to FILE after processing it, and start from FILE when the prompt begins with the tokens it holds (llama.cpp's flag). A stale or damaged file is ignored with a warning.")
    Path file;

    @Option(names = "--prompt-cache-ro", description = "With --prompt-cache: use the file but do not update it.")
    boolean readOnly;

    private ModelFingerprint fingerprint;

    boolean enabled() {
        return file != null;
    }

    /**
     * Fills the empty {@code session} from the file as far as it matches {@code ids}; returns the positions restored
     * (0 with no file, a warning for a rejected one). {@code lora} and {@code steer} are the run's flags: they change
     * the keys and values, so they are part of what a file must match.
     */
    int restore(LoadedModel lm, Session session, int[] ids, List<String> lora, List<String> steer, PrintWriter err) {
        if (file == null) return 0;
        if (readOnly && !Files.exists(file)) err.println("warning: prompt cache " + file + " does not exist; nothing to read");
        fingerprint = ModelFingerprint.of(lm.model(), runKey(lora, steer));
        if (!Files.exists(file)) return 0;
        try {
            SessionFile.Restored r = session.restore(file, ids, fingerprint);
            return r.positions();
        } catch (SessionFileException e) {
            err.println("warning: prompt cache ignored, recomputing the prompt: " + e.getMessage());
            return 0;
        }
    }

    /** Saves positions [0, ids.length) of {@code session} (a warning, not a failure, when it cannot). */
    void save(Session session, int[] ids, PrintWriter err) {
        if (file == null || readOnly || fingerprint == null) return;
        try {
            session.save(file, ids, fingerprint);
        } catch (SessionFileException e) {
            err.println("warning: prompt cache not saved: " + e.getMessage());
        }
    }

    /** The run's adapters (with each file's size and time, so a rewritten adapter counts as another) and steering. */
    private static String runKey(List<String> lora, List<String> steer) {
        StringBuilder key = new StringBuilder();
        for (String l : lora) {
            Path p = dev.loupe.core.lora.LoraSpec.parse(l).file();
            key.append("lora=").append(l).append('@').append(stamp(p)).append(';');
        }
        for (String s : steer) key.append("steer=").append(s).append(';');
        return key.toString();
    }

    private static String stamp(Path p) {
        try {
            return Files.size(p) + "/" + Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return "?";
        }
    }
}
