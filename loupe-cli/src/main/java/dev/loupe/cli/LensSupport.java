package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;
import dev.loupe.lens.HookedModel;
import dev.loupe.lens.html.Heatmap;

import java.io.PrintWriter;
import java.nio.file.Path;

/** What the {@code lens} commands share: loading, prompt encoding, single-token arguments, output. */
final class LensSupport {
    private LensSupport() {}

    static final ObjectMapper JSON = new ObjectMapper();

    static HookedModel hooked(LoadedModel lm) {
        return new HookedModel(lm.model(), lm.pool());
    }

    static int[] encode(LoadedModel lm, String text, boolean noBos) {
        if (text == null || text.isEmpty()) throw new LoupeException("give a prompt");
        int[] ids = lm.tokenizer().encode(text, !noBos, false);
        if (ids.length == 0) throw new LoupeException("the prompt has no tokens");
        if (ids.length > lm.contextSize()) throw new LoupeException("the prompt has " + ids.length + " tokens, more than the context of " + lm.contextSize());
        return ids;
    }

    /** The single token a text like " Mary" is; a user error if it is several. */
    static int singleToken(LoadedModel lm, String text, String option) {
        int[] ids = lm.tokenizer().encode(text, false, false);
        if (ids.length != 1) {
            throw new LoupeException(option + " '" + text + "' is " + ids.length + " tokens; it must be exactly one (try with or without a leading space)");
        }
        return ids[0];
    }

    static String modelName(ModelOptions o) {
        return o.resolveModel().getFileName().toString();
    }

    static void writeHtml(Heatmap h, Path file, PrintWriter err) {
        h.write(file);
        err.println("wrote " + file);
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
