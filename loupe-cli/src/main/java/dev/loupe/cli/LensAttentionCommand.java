package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.lens.attention.AttentionView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
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
    ModelOptions modelOptions;

    @Parameters(paramLabel = "PROMPT", arity = "1..*", description = "The prompt.")
    List<String> words;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", required = true, description = "The HTML page to write.")
    Path out;

    @Option(names = "--no-bos", description = "Do not add the BOS token the model asks for.")
    boolean noBos;

    @Override
    public Integer call() {
        try (LoadedModel lm = LoadedModel.open(modelOptions)) {
            int[] ids = LensSupport.encode(lm, String.join(" ", words), noBos);
            if (ids.length > MAX_TOKENS) throw new LoupeException("the prompt has " + ids.length + " tokens; the attention page shows at most " + MAX_TOKENS);
            AttentionView.of(LensSupport.hooked(lm), lm.tokenizer(), ids, LensSupport.modelName(modelOptions)).write(out);
            spec.commandLine().getErr().println("wrote " + out + " (" + lm.model().config().layers() + " layers x " + lm.model().config().heads() + " heads, " + ids.length + " tokens)");
        }
        return 0;
    }
}
