package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.lens.CorpusChunks;
import dev.loupe.lens.sae.SaeFile;
import dev.loupe.lens.sae.browse.FeatureBrowser;
import dev.loupe.lens.sae.browse.FeaturePage;
import dev.loupe.lens.sae.browse.FeatureStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "browse", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The feature browser: runs the model over a corpus (sequences of the context length), encodes the",
                "SAE's hook point with the SAE and writes one self-contained page listing every feature's density,",
                "mean and max activation, top-activating contexts (tokens shaded by activation) and the tokens its",
                "decoder direction promotes and suppresses (W_U · d_f). Memory stays flat however long the corpus is.", ""},
        footer = {"", "Examples:",
                "  loupe lens sae browse --sae sae.safetensors --text ../shared/data/tinyshakespeare/input.txt -o features.html",
                "  loupe lens sae browse --sae sae.safetensors --text corpus.txt --tokens 100000 --features 200 --top 20 -o f.html"})
final class LensSaeBrowseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--sae", paramLabel = "FILE", required = true, description = "An SAE written by 'loupe lens sae train'.")
    Path saeFile;

    @Option(names = "--text", paramLabel = "FILE", required = true, description = "The corpus (plain text).")
    Path text;

    @Option(names = "--tokens", paramLabel = "N", description = "Corpus tokens to read at most (default: ${DEFAULT-VALUE}).")
    long tokens = 20000;

    @Option(names = "--features", paramLabel = "N", description = "Show the first N features (default: all).")
    int features;

    @Option(names = "--top", paramLabel = "K", description = "Top contexts per feature (default: ${DEFAULT-VALUE}).")
    int top = 10;

    @Option(names = "--before", paramLabel = "N", description = "Tokens shown before a context's strongest token (default: ${DEFAULT-VALUE}).")
    int before = 12;

    @Option(names = "--after", paramLabel = "N", description = "Tokens shown after it (default: ${DEFAULT-VALUE}).")
    int after = 6;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "The page to write (HTML).")
    Path output;

    @Option(names = "--json", description = "Print a summary as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (tokens < 1 || top < 1 || before < 0 || after < 0) throw new LoupeException("--tokens and --top must be at least 1, --before and --after at least 0");
        if (!Files.isRegularFile(text)) throw new LoupeException("no such corpus file: " + text);
        SaeFile.Loaded l = SaeFile.load(saeFile);
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try (LoadedModel lm = LoadedModel.open(modelOptions)) {
            int n = features > 0 ? features : l.sae().features();
            int skip = lm.tokenizer().addBos() ? 1 : 0;
            FeatureBrowser b = new FeatureBrowser(LensSupport.hooked(lm), l.sae(), l.hook(), new FeatureBrowser.Options(n, top, before, after, 10), skip);
            try (Progress p = Progress.count(err, "browsing", tokens)) {
                CorpusChunks.forEach(text, lm.tokenizer(), lm.contextSize(), tokens, seq -> {
                    b.add(seq);
                    p.update(b.tokens());
                });
            }
            FeatureBrowser.Result r = b.result(LensSupport.modelName(modelOptions));
            FeaturePage.write(r, lm.tokenizer(), output);
            err.println("wrote " + output);
            summary(out, r);
        }
        return 0;
    }

    private void summary(PrintWriter out, FeatureBrowser.Result r) {
        List<FeatureStats.Feature> fs = r.features();
        long dead = fs.stream().filter(f -> f.active() == 0).count();
        double l0 = fs.stream().mapToDouble(FeatureStats.Feature::density).sum();
        List<FeatureStats.Feature> densest = fs.stream().sorted(Comparator.comparingDouble(FeatureStats.Feature::density).reversed()).limit(5).toList();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("hook", r.hook());
            o.put("tokens", r.tokens());
            o.put("sequences", r.sequences());
            o.put("features", fs.size());
            o.put("dead", dead);
            o.put("l0", l0);
            o.put("densest", densest.stream().map(f -> Map.of("feature", f.id(), "density", f.density(), "max", f.max())).toList());
            out.println(LensSupport.json(o));
        } else {
            out.printf("%d features of %s over %d tokens (%d sequences): %d never fire; mean active per token %.2f%n",
                    fs.size(), r.hook(), r.tokens(), r.sequences(), dead, l0);
            for (FeatureStats.Feature f : densest) out.printf("  feature %-5d density %.4f  max %.3f%n", f.id(), f.density(), f.max());
        }
    }
}
