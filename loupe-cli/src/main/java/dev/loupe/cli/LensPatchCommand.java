package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.HookSite;
import dev.loupe.lens.TokenText;
import dev.loupe.lens.ablate.Metric;
import dev.loupe.lens.ablate.Patching;
import dev.loupe.lens.html.Heatmap;
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

@Command(name = "patch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Activation patching: run the corrupted prompt, restore one activation from the clean run, and",
                "report the fraction of the clean logit difference it recovers, per layer and position (or per head).",
                "The two prompts must have the same number of tokens.", ""},
        footer = {"", "Sites: resid_pre, attn_out, mlp_out (layer x position), heads (layer x head).",
                "", "Examples:",
                "  loupe lens patch --clean \"When Mary and John went to the store, John gave a drink to\" \\",
                "                   --corrupted \"When Mary and John went to the store, Mary gave a drink to\" \\",
                "                   --target \" Mary\" --foil \" John\" --html patch.html",
                "  loupe lens patch --clean ... --corrupted ... --target ... --foil ... --site heads --json"})
final class LensPatchCommand implements Callable<Integer> {
    enum Site { resid_pre, attn_out, mlp_out, heads }

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--clean", paramLabel = "TEXT", required = true, description = "The prompt whose answer is --target.")
    String clean;

    @Option(names = "--corrupted", paramLabel = "TEXT", required = true, description = "A minimally changed prompt (same token count).")
    String corrupted;

    @Option(names = "--target", paramLabel = "TOKEN", required = true, description = "The clean answer (one token).")
    String target;

    @Option(names = "--foil", paramLabel = "TOKEN", required = true, description = "The corrupted answer (one token).")
    String foil;

    @Option(names = "--site", paramLabel = "SITE", description = "What to patch: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Site site = Site.resid_pre;

    @Option(names = "--html", paramLabel = "FILE", description = "Write the heatmap page.")
    Path html;

    @Option(names = "--json", description = "Print the grid as JSON.")
    boolean json;

    @Option(names = "--no-bos", description = "Do not add the BOS token the model asks for.")
    boolean noBos;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try (LoadedModel lm = LoadedModel.open(modelOptions)) {
            int[] a = LensSupport.encode(lm, clean, noBos), b = LensSupport.encode(lm, corrupted, noBos);
            Metric metric = new Metric.LogitDiff(-1, LensSupport.singleToken(lm, target, "--target"), LensSupport.singleToken(lm, foil, "--foil"));
            Patching patching = new Patching(LensSupport.hooked(lm), a, b, metric);
            if (Math.abs(patching.cleanScore() - patching.corruptedScore()) < 1e-6) {
                throw new LoupeException("the clean and corrupted prompts give the same logit difference; nothing to recover");
            }
            int L = lm.model().config().layers();
            long runs = site == Site.heads ? (long) L * lm.model().config().heads() : (long) L * a.length;
            double[][] grid;
            Heatmap map;
            String name = LensSupport.modelName(modelOptions);
            try (Progress bar = Progress.count(err, "patching", runs)) {
                long[] done = {0};
                patching.onEachRun(() -> bar.update(++done[0]));
                if (site == Site.heads) {
                    grid = patching.byHead();
                    map = patching.headHeatmap(grid, name);
                } else {
                    HookSite s = switch (site) {
                        case resid_pre -> HookSite.RESID_PRE;
                        case attn_out -> HookSite.ATTN_OUT;
                        default -> HookSite.MLP_OUT;
                    };
                    grid = patching.byLayerAndPosition(s);
                    map = patching.positionHeatmap(s, grid, TokenText.labels(lm.tokenizer(), a), name);
                }
            }
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("site", site.name());
                o.put("clean", patching.cleanScore());
                o.put("corrupted", patching.corruptedScore());
                o.put("recovered", grid);
                out.println(LensSupport.json(o));
            } else {
                out.printf("logit diff: clean %.4f, corrupted %.4f; fraction recovered (rows: layers; columns: %s)%n",
                        patching.cleanScore(), patching.corruptedScore(), site == Site.heads ? "heads" : "positions");
                for (int l = 0; l < grid.length; l++) {
                    out.printf("%-5s", "L" + l);
                    for (double v : grid[l]) out.printf("%7.2f", v);
                    out.println();
                }
            }
            if (html != null) LensSupport.writeHtml(map, html, err);
        }
        return 0;
    }
}
