package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.model.ModelConfig;
import dev.loupe.lens.ablate.Ablation;
import dev.loupe.lens.ablate.Component;
import dev.loupe.lens.ablate.Metric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "ablate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Zero- or mean-ablate heads, neurons or whole attention/MLP layers and report the change in the",
                "prompt's loss (or in a logit difference). Without --components every head is ablated in turn (a layer x head map).", ""},
        footer = {"", "Components: L1H2 (head 2 of layer 1), L1N37 (MLP neuron 37), L1attn, L1mlp; comma-separated.",
                "", "Examples:",
                "  loupe lens ablate \"The cat sat on the mat\" --html heads.html      every head, loss change",
                "  loupe lens ablate \"The cat sat on the mat\" --components L0attn,L1mlp,L1H3 --mean",
                "  loupe lens ablate \"The capital of France is\" --target \" Paris\" --foil \" London\" --json"})
final class LensAblateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LensPrompt prompt;

    @Option(names = "--components", paramLabel = "LIST", split = ",", description = "What to ablate, each alone (default: every head).")
    List<String> components;

    @Option(names = "--together", description = "Ablate all --components at once and report one number.")
    boolean together;

    @Option(names = "--mean", description = "Replace with the mean over the prompt's positions instead of zero.")
    boolean mean;

    @Option(names = "--target", paramLabel = "TOKEN", description = "With --foil: measure logit(TARGET) - logit(FOIL) at the last position instead of the loss.")
    String target;

    @Option(names = "--foil", paramLabel = "TOKEN", description = "The competing token of --target.")
    String foil;

    @Option(names = "--html", paramLabel = "FILE", description = "Write the layer x head heatmap (head sweep only).")
    Path html;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if ((target == null) != (foil == null)) throw new LoupeException("--target and --foil go together");
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try (LoadedModel lm = prompt.open()) {
            ModelConfig c = lm.model().config();
            int[] ids = prompt.ids(lm);
            Metric metric = target == null ? new Metric.Loss(0)
                    : new Metric.LogitDiff(-1, LensSupport.singleToken(lm, target, "--target"), LensSupport.singleToken(lm, foil, "--foil"));
            Ablation.Kind kind = mean ? Ablation.Kind.MEAN : Ablation.Kind.ZERO;
            Ablation ab = new Ablation(LensSupport.hooked(lm), ids, metric, kind);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("metric", metric.describe());
            result.put("ablation", kind.name().toLowerCase());
            result.put("baseline", ab.baseline());
            if (components == null) {
                if (together) throw new LoupeException("--together needs --components");
                double[][] grid;
                try (Progress bar = Progress.count(err, "ablating heads", (long) c.layers() * c.heads())) {
                    long[] done = {0};
                    grid = ab.onEachRun(() -> bar.update(++done[0])).headGrid();
                }
                result.put("heads", grid);
                if (!json) printGrid(out, ab.baseline(), metric, grid);
                if (html != null) LensSupport.writeHtml(ab.headHeatmap(grid, prompt.modelName()), html, err);
            } else {
                if (html != null) throw new LoupeException("--html draws the head sweep; leave out --components");
                List<Component> parts = new ArrayList<>();
                for (String s : components) parts.add(Component.parse(s, c));
                Map<String, Double> effects = new LinkedHashMap<>();
                if (together) {
                    effects.put(String.join("+", parts.stream().map(Component::label).toList()), ab.ablated(parts) - ab.baseline());
                } else {
                    double[] e = ab.effects(parts);
                    for (int i = 0; i < e.length; i++) effects.put(parts.get(i).label(), e[i]);
                }
                result.put("effects", effects);
                if (!json) {
                    out.printf("%s baseline %.4f%n", metric.describe(), ab.baseline());
                    effects.forEach((k, v) -> out.printf("%-16s %+.4f%n", k, v));
                }
            }
            if (json) out.println(LensSupport.json(result));
        }
        return 0;
    }

    private static void printGrid(PrintWriter out, double baseline, Metric metric, double[][] grid) {
        out.printf("%s baseline %.4f; change when each head is ablated:%n", metric.describe(), baseline);
        out.print("     ");
        for (int h = 0; h < grid[0].length; h++) out.printf("%9s", "H" + h);
        out.println();
        for (int l = 0; l < grid.length; l++) {
            out.printf("%-5s", "L" + l);
            for (double v : grid[l]) out.printf("%+9.4f", v);
            out.println();
        }
    }
}
