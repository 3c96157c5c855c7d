package dev.loupe.cli;

import dev.loupe.lens.TokenText;
import dev.loupe.lens.logit.LogitLens;
import dev.loupe.lens.logit.LogitLensReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "logit-lens", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Decode the residual stream after every layer with the model's final norm and unembedding:",
                "what each layer would predict next, at every position. The last row is the model's own prediction.", ""},
        footer = {"", "Examples:",
                "  loupe lens logit-lens \"The capital of France is\"",
                "  loupe lens logit-lens \"The capital of France is\" --html lens.html",
                "  loupe lens logit-lens \"1, 2, 3,\" --json --top 3"})
final class LensLogitLensCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LensPrompt prompt;

    @Option(names = "--top", paramLabel = "K", description = "Tokens per cell in --json (default: ${DEFAULT-VALUE}).")
    int top = 5;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write a heatmap page.")
    Path html;

    @Option(names = "--json", description = "Print the top tokens and probabilities per layer and position as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (top < 1) throw new dev.loupe.core.LoupeException("--top must be at least 1");
        try (LoadedModel lm = prompt.open()) {
            int[] ids = prompt.ids(lm);
            LogitLens.Result r = LogitLens.run(LensSupport.hooked(lm), ids, top);
            if (json) {
                List<Object> layers = new ArrayList<>();
                for (LogitLens.Layer l : r.layers()) {
                    List<Object> positions = new ArrayList<>();
                    for (int p = 0; p < ids.length; p++) {
                        List<Object> cands = new ArrayList<>();
                        for (int k = 0; k < l.topIds()[p].length; k++) {
                            cands.add(Map.of("id", l.topIds()[p][k], "token", TokenText.label(lm.tokenizer(), l.topIds()[p][k]), "p", l.topProbs()[p][k]));
                        }
                        positions.add(cands);
                    }
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("layer", l.name());
                    m.put("top", positions);
                    layers.add(m);
                }
                spec.commandLine().getOut().println(LensSupport.json(Map.of("tokens", ids, "layers", layers)));
            } else {
                spec.commandLine().getOut().print(LogitLensReport.table(r, lm.tokenizer()));
                spec.commandLine().getOut().flush();
            }
            if (html != null) LensSupport.writeHtml(LogitLensReport.heatmap(r, lm.tokenizer(), prompt.modelName()), html, spec.commandLine().getErr());
        }
        return 0;
    }
}
