package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.lens.HookedModel;
import dev.loupe.lens.sae.SaeData;
import dev.loupe.lens.sae.SaeFile;
import dev.loupe.lens.sae.SaeMetrics;
import dev.loupe.lens.sae.SaeTrainer;
import dev.loupe.lens.sae.SparseAutoencoder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "sae", mixinStandardHelpOptions = true,
        description = {"Sparse autoencoders on residual activations: train one on a corpus, evaluate one, browse its features.", ""},
        subcommands = {LensSaeCommand.Train.class, LensSaeCommand.Eval.class, LensSaeBrowseCommand.class, CommandLine.HelpCommand.class})
final class LensSaeCommand {

    /** The model, the corpus and the hook point both subcommands read. */
    static final class Corpus {
        @Mixin
        ModelOptions modelOptions;

        @Option(names = "--corpus", paramLabel = "FILE", required = true, description = "Text file; each non-empty line is one sequence.")
        Path corpus;

        @Option(names = "--lines", paramLabel = "N", description = "Lines of the corpus to use (default: ${DEFAULT-VALUE}).")
        int lines = 400;

        List<int[]> sequences(LoadedModel lm) {
            if (lines < 1) throw new LoupeException("--lines must be at least 1");
            List<int[]> out = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(corpus)) {
                    if (line.isBlank()) continue;
                    int[] ids = lm.tokenizer().encode(line, lm.tokenizer().addBos(), false);
                    if (ids.length > lm.contextSize()) ids = java.util.Arrays.copyOf(ids, lm.contextSize());
                    if (ids.length >= 2) out.add(ids);
                    if (out.size() == lines) break;
                }
            } catch (IOException e) {
                throw new LoupeException("cannot read corpus " + corpus + ": " + e.getMessage());
            }
            if (out.isEmpty()) throw new LoupeException("the corpus " + corpus + " has no line of two tokens or more");
            return out;
        }
    }

    static Map<String, Object> report(SaeMetrics m, SaeData.SpliceLoss s) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("mse", m.mse());
        o.put("variance_explained", m.varianceExplained());
        o.put("l0", m.l0());
        o.put("dead_features", m.dead());
        o.put("loss_clean", s.clean());
        o.put("loss_spliced", s.spliced());
        o.put("loss_delta", s.delta());
        return o;
    }

    static void print(PrintWriter out, Map<String, Object> r, boolean json) {
        if (json) out.println(LensSupport.json(r));
        else r.forEach((k, v) -> out.printf("%-19s %s%n", k, v instanceof Double d ? String.format("%.5f", d) : v));
    }

    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Train a ReLU (L1) or TopK sparse autoencoder on one hook point's activations over a corpus,",
                    "then report reconstruction MSE, L0, dead features and the model loss with the SAE spliced in.", ""},
            footer = {"", "Examples:",
                    "  loupe lens sae train --corpus ../shared/data/tinyshakespeare/input.txt --layer 1 -o sae.safetensors",
                    "  loupe lens sae train --corpus corpus.txt --layer 3 --features 512 --top-k 16 -o sae.safetensors --json"})
    static final class Train implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Corpus corpus;

        @Option(names = "--layer", required = true, description = "Train on blocks.LAYER.hook_resid_post.")
        int layer;

        @Option(names = "--features", paramLabel = "M", description = "Dictionary size (default: 4 x d_model).")
        int features;

        @Option(names = "--top-k", paramLabel = "K", description = "TopK SAE keeping K features per row (default: ReLU with --l1).")
        int topK;

        @Option(names = "--l1", description = "L1 penalty of the ReLU SAE (default: ${DEFAULT-VALUE}; 0 with --top-k).")
        float l1 = 1e-3f;

        @Option(names = "--lr", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
        float lr = 1e-3f;

        @Option(names = "--steps", description = "Optimiser steps (default: ${DEFAULT-VALUE}).")
        int steps = 2000;

        @Option(names = "--batch", description = "Rows per step (default: ${DEFAULT-VALUE}).")
        int batch = 128;

        @Option(names = "--seed", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed = 1;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "Where to save the SAE (safetensors).")
        Path output;

        @Option(names = "--json", description = "Print the metrics as JSON.")
        boolean json;

        @Override
        public Integer call() {
            if (steps < 1 || batch < 1) throw new LoupeException("--steps and --batch must be at least 1");
            PrintWriter err = spec.commandLine().getErr();
            try (LoadedModel lm = LoadedModel.open(corpus.modelOptions)) {
                HookedModel hm = LensSupport.hooked(lm);
                if (layer < 0 || layer >= hm.config().layers()) throw new LoupeException("--layer must be in [0, " + hm.config().layers() + ")");
                String hook = "blocks." + layer + ".hook_resid_post";
                List<int[]> seqs = corpus.sequences(lm);
                SaeData.Activations a = SaeData.collect(hm, seqs, hook);
                int m = features > 0 ? features : 4 * a.width();
                SparseAutoencoder sae = SparseAutoencoder.random(a.width(), m, topK, seed);
                try (Progress p = Progress.count(err, "training SAE", steps)) {
                    SaeTrainer.train(sae, a.data(), a.rows(), new SaeTrainer.Options(topK > 0 ? 0f : l1, lr, batch, steps, seed), p::update);
                }
                SaeFile.save(output, sae, hook, Map.of("model", LensSupport.modelName(corpus.modelOptions)));
                err.println("wrote " + output + " (" + a.rows() + " activations, " + m + " features)");
                print(spec.commandLine().getOut(), report(SaeMetrics.of(sae, a.data(), a.rows()), SaeData.spliceLoss(hm, sae, hook, seqs)), json);
            }
            return 0;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Evaluate a saved SAE on a corpus: reconstruction MSE, L0, dead features, spliced-in model loss.", ""},
            footer = {"", "Examples:",
                    "  loupe lens sae eval sae.safetensors --corpus ../shared/data/tinyshakespeare/input.txt --lines 100"})
    static final class Eval implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Corpus corpus;

        @CommandLine.Parameters(paramLabel = "SAE", description = "An SAE written by 'loupe lens sae train'.")
        Path file;

        @Option(names = "--json", description = "Print the metrics as JSON.")
        boolean json;

        @Override
        public Integer call() {
            SaeFile.Loaded l = SaeFile.load(file);
            try (LoadedModel lm = LoadedModel.open(corpus.modelOptions)) {
                HookedModel hm = LensSupport.hooked(lm);
                List<int[]> seqs = corpus.sequences(lm);
                SaeData.Activations a = SaeData.collect(hm, seqs, l.hook());
                if (a.width() != l.sae().inputDim()) throw new LoupeException("the SAE reads " + l.sae().inputDim() + " values; " + l.hook() + " has " + a.width());
                print(spec.commandLine().getOut(), report(SaeMetrics.of(l.sae(), a.data(), a.rows()), SaeData.spliceLoss(hm, l.sae(), l.hook(), seqs)), json);
            }
            return 0;
        }
    }
}
