package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.lens.attention.AttentionView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "attention", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write the attention patterns of every layer and head for a prompt as one self-contained,",
                "interactive page (BertViz-like head view and model view).", ""},
        footer = {"", "Examples:",
                "  loupe lens attention \"The cat sat on the mat\" -o attention.html",
                "  loupe lens attention -m model.gguf \"When Mary and John went to the store, John gave a drink to\" -o ioi.html"})
final class LensAttentionCommand implements Callable<Integer> {
    /** Beyond this the page's model view (layers x heads x T x T cells) gets too heavy to be useful. */
    static final int MAX_TOKENS = 256;

    @Spec
    CommandSpec spec;

    @Mixin
    LensPrompt prompt;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", required = true, description = "The HTML page to write.")
    Path out;

    @Override
    public Integer call() {
        try (LoadedModel lm = prompt.open()) {
            int[] ids = prompt.ids(lm);
            if (ids.length > MAX_TOKENS) throw new LoupeException("the prompt has " + ids.length + " tokens; the attention page shows at most " + MAX_TOKENS);
            AttentionView.of(LensSupport.hooked(lm), lm.tokenizer(), ids, prompt.modelName()).write(out);
            spec.commandLine().getErr().println("wrote " + out + " (" + lm.model().config().layers() + " layers x " + lm.model().config().heads() + " heads, " + ids.length + " tokens)");
        }
        return 0;
    }
}
