package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.lens.ablate.Component;
import dev.loupe.lens.induction.InductionHeads;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

@Command(name = "induction", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The repeated-random-tokens experiment (Olsson et al. 2022): S random tokens, then the same S again.",
                "Reports each head's induction score (attention from a repeated token to the token after its first",
                "occurrence), the loss on both halves, and the repeated half's loss with the top heads zero-ablated.", ""},
        footer = {"", "Examples:",
                "  loupe lens induction --html induction.html",
                "  loupe lens induction -m model.gguf --length 50 --sequences 8 --top 3 --json"})
final class LensInductionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--length", paramLabel = "S", description = "Random tokens per half (default: ${DEFAULT-VALUE}).")
    int length = 25;

    @Option(names = "--sequences", paramLabel = "N", description = "Random sequences averaged over (default: ${DEFAULT-VALUE}).")
    int sequences = 4;

    @Option(names = "--top", paramLabel = "K", description = "Top heads to ablate together (default: ${DEFAULT-VALUE}).")
    int top = 2;

    @Option(names = "--seed", description = "Seed of the random tokens (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--html", paramLabel = "FILE", description = "Write the layer x head heatmap of induction scores.")
    Path html;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (length < 2 || sequences < 1 || top < 1) throw new LoupeException("--length must be at least 2, --sequences and --top at least 1");
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try (LoadedModel lm = LoadedModel.open(modelOptions)) {
            Tokenizer tok = lm.tokenizer();
            // Ordinary vocabulary entries only: control, byte and unused tokens would make the sequence unnatural.
            int[] candidates = IntStream.range(0, tok.vocabSize()).filter(i -> tok.isNormal(i) && !tok.isControl(i)).toArray();
            int bos = tok.addBos() ? tok.bos() : -1;
            InductionHeads.Result r = InductionHeads.run(LensSupport.hooked(lm), bos, length, candidates, sequences, top, seed);
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("scores", r.scores());
                o.put("first_half_loss", r.firstHalfLoss());
                o.put("repeat_loss", r.repeatLoss());
                o.put("top_heads", r.topHeads().stream().map(Component::label).toList());
                o.put("ablated_repeat_loss", r.ablatedRepeatLoss());
                out.println(LensSupport.json(o));
            } else {
                out.println("induction score (rows: layers, columns: heads)");
                for (int l = 0; l < r.scores().length; l++) {
                    out.printf("%-5s", "L" + l);
                    for (double v : r.scores()[l]) out.printf("%7.3f", v);
                    out.println();
                }
                out.printf("loss: first half %.3f, repeated half %.3f, repeated half with %s ablated %.3f%n", r.firstHalfLoss(), r.repeatLoss(),
                        String.join("+", r.topHeads().stream().map(Component::label).toList()), r.ablatedRepeatLoss());
            }
            if (html != null) LensSupport.writeHtml(InductionHeads.heatmap(r, LensSupport.modelName(modelOptions)), html, err);
        }
        return 0;
    }
}
