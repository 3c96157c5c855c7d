package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.HookPoint;
import dev.loupe.core.hook.HookSite;
import dev.loupe.lens.HookedModel;
import dev.loupe.lens.TokenText;
import dev.loupe.lens.logit.TopK;
import dev.loupe.lens.steer.ContrastiveMean;
import dev.loupe.lens.steer.PromptFile;
import dev.loupe.lens.steer.SteerSpec;
import dev.loupe.lens.steer.SteeringFile;
import dev.loupe.lens.steer.SteeringSweep;
import dev.loupe.lens.steer.SteeringVector;
import dev.loupe.lens.steer.SweepPlot;
import picocli.CommandLine;
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

@Command(name = "steer", mixinStandardHelpOptions = true,
        description = {"Steering vectors (activation addition): make one from contrasting prompts or an SAE feature, and",
                "sweep its coefficient. Apply one with 'loupe run/chat --steer FILE:COEF' or 'loupe serve --steer-dir DIR'.", ""},
        subcommands = {LensSteerCommand.Make.class, LensSteerCommand.FromSae.class, LensSteerCommand.Sweep.class,
                CommandLine.HelpCommand.class})
final class LensSteerCommand {

    /** The residual-stream sites a vector can be made at. */
    enum Site {
        resid_pre(HookSite.RESID_PRE), resid_mid(HookSite.RESID_MID), resid_post(HookSite.RESID_POST);

        final HookSite site;

        Site(HookSite site) {
            this.site = site;
        }
    }

    /** Lower-case names for {@link ContrastiveMean.Reduce}, as the other options spell their values. */
    enum Reduce {
        last(ContrastiveMean.Reduce.LAST), mean(ContrastiveMean.Reduce.MEAN);

        final ContrastiveMean.Reduce reduce;

        Reduce(ContrastiveMean.Reduce reduce) {
            this.reduce = reduce;
        }
    }

    /** The tokens a vector promotes most: its direction through the final norm and unembedding (a logit lens of v). */
    static String topTokens(HookedModel hm, LoadedModel lm, float[] v, int k) {
        float[] logits = hm.unembed(v, 1);
        List<String> out = new ArrayList<>();
        for (int id : TopK.indices(logits, 0, logits.length, k)) out.add(TokenText.label(lm.tokenizer(), id));
        return String.join(" ", out);
    }

    /** Where a made vector goes, and its summary (hook, width, norm, the tokens it promotes) on stdout. */
    static final class VectorOutput {
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "Where to save the vector (safetensors).")
        Path file;

        @Option(names = "--json", description = "Print the summary as JSON.")
        boolean json;

        void save(CommandSpec spec, SteeringVector v, HookedModel hm, LoadedModel lm) {
            SteeringFile.save(file, v);
            String promotes = topTokens(hm, lm, v.vector(), 10);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("file", file.toString());
                o.put("hook", v.point().name());
                o.put("d_model", v.dModel());
                o.put("norm", v.norm());
                o.put("promotes", promotes);
                out.println(LensSupport.json(o));
            } else {
                spec.commandLine().getErr().println("wrote " + file);
                out.printf("hook     %s%nd_model  %d%nnorm     %.4f%npromotes %s%n", v.point().name(), v.dModel(), v.norm(), promotes);
            }
        }
    }

    @Command(name = "make", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"A steering vector by contrastive mean difference (Turner et al.'s activation addition, Rimsky et",
                    "al.'s CAA): the mean residual stream at blocks.LAYER.hook_resid_pre over the positive prompts minus",
                    "the mean over the negative ones. Each prompt gives its mean over positions (default: right for a",
                    "topic spread over a line) or its last position (CAA's choice, for prompts that end where the behaviour",
                    "shows). Prompt files: one prompt per line, or JSONL with a \"text\" (or \"prompt\") field.", ""},
            footer = {"", "Examples:",
                    "  loupe lens steer make --pos love.txt --neg war.txt --layer 2 -o love.safetensors",
                    "  loupe lens steer make --pos calm.jsonl --neg angry.jsonl --layer 6 --site resid_post --reduce mean -o calm.safetensors"})
    static final class Make implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ModelOptions modelOptions;

        @Option(names = "--pos", paramLabel = "FILE", required = true, description = "Prompts showing the behaviour to steer towards.")
        Path pos;

        @Option(names = "--neg", paramLabel = "FILE", required = true, description = "Prompts showing the opposite.")
        Path neg;

        @Option(names = "--layer", paramLabel = "L", required = true, description = "The block whose residual stream is read (and later steered).")
        int layer;

        @Option(names = "--site", paramLabel = "SITE", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
        Site site = Site.resid_pre;

        @Option(names = "--reduce", paramLabel = "HOW", description = "Per prompt: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
        Reduce reduce = Reduce.mean;

        @Option(names = "--no-bos", description = "Do not add the BOS token the model asks for.")
        boolean noBos;

        @Mixin
        VectorOutput output;

        @Override
        public Integer call() {
            List<String> positive = PromptFile.read(pos), negative = PromptFile.read(neg);
            PrintWriter err = spec.commandLine().getErr();
            try (LoadedModel lm = LoadedModel.open(modelOptions)) {
                HookedModel hm = LensSupport.hooked(lm);
                if (layer < 0 || layer >= hm.config().layers()) throw new LoupeException("--layer must be in [0, " + hm.config().layers() + ")");
                HookPoint point = HookPoint.of(site.site, layer);
                List<int[]> p = encodeAll(lm, positive), n = encodeAll(lm, negative);
                float[] v;
                try (Progress bar = Progress.count(err, "running prompts", p.size() + n.size())) {
                    v = ContrastiveMean.of(hm, p, n, point, reduce.reduce, bar::update);
                }
                Map<String, String> provenance = new LinkedHashMap<>();
                provenance.put("source", "contrastive mean, " + reduce + " position");
                provenance.put("positive", pos.getFileName() + " (" + p.size() + " prompts)");
                provenance.put("negative", neg.getFileName() + " (" + n.size() + " prompts)");
                output.save(spec, new SteeringVector(point, v, LensSupport.modelName(modelOptions), provenance), hm, lm);
            }
            return 0;
        }

        private List<int[]> encodeAll(LoadedModel lm, List<String> prompts) {
            List<int[]> out = new ArrayList<>();
            for (String s : prompts) out.add(LensSupport.encode(lm, s, noBos));
            return out;
        }
    }

    @Command(name = "from-sae", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Save an SAE feature's decoder direction as a steering vector at the SAE's hook point (for",
                    "'loupe serve --steer-dir'; run and chat take SAE#FEATURE:COEF directly).", ""},
            footer = {"", "Examples:",
                    "  loupe lens steer from-sae sae.safetensors --feature 12 -o feature12.safetensors"})
    static final class FromSae implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ModelOptions modelOptions;

        @CommandLine.Parameters(paramLabel = "SAE", description = "An SAE written by 'loupe lens sae train'.")
        Path sae;

        @Option(names = "--feature", paramLabel = "F", required = true, description = "The feature whose decoder direction to use.")
        int feature;

        @Mixin
        VectorOutput output;

        @Override
        public Integer call() {
            SteeringVector v = SteeringFile.fromSae(sae, feature);
            try (LoadedModel lm = LoadedModel.open(modelOptions)) {
                v.checkFits(lm.model().config(), LensSupport.modelName(modelOptions));
                output.save(spec, v, LensSupport.hooked(lm), lm);
            }
            return 0;
        }
    }

    @Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"The effect of a steering vector against its coefficient: next-token probability of target tokens",
                    "after the prompts, logit difference targets - foils, loss on a text, and a greedy continuation.", ""},
            footer = {"", "Examples:",
                    "  loupe lens steer sweep --vector love.safetensors --coefs -8,-4,0,4,8 --prompt \"ROMEO:\" \\",
                    "        --target-tokens \" love\",\" heart\" --html sweep.html",
                    "  loupe lens steer sweep --vector sae.safetensors#12 --coefs 0,2,4 --prompt \"The\" --text \"To be or not to be\" --json"})
    static final class Sweep implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ModelOptions modelOptions;

        @Option(names = "--vector", paramLabel = "FILE|SAE#F", required = true, description = "The steering vector (no coefficient).")
        String vector;

        @Option(names = "--coefs", paramLabel = "C,C,...", split = ",", description = "Coefficients (default: ${DEFAULT-VALUE}).")
        List<Float> coefs = List.of(-8f, -4f, 0f, 4f, 8f);

        @Option(names = "--prompt", paramLabel = "TEXT", required = true, description = "A prompt (repeatable); the first is continued.")
        List<String> prompts;

        @Option(names = "--target-tokens", paramLabel = "TOK,...", split = ",", description = "Single tokens whose next-token probability is summed.")
        List<String> targets = new ArrayList<>();

        @Option(names = "--foil-tokens", paramLabel = "TOK,...", split = ",", description = "Single tokens to compare the targets' mean logit with.")
        List<String> foils = new ArrayList<>();

        @Option(names = "--text", paramLabel = "TEXT", description = "A text whose mean next-token loss is measured.")
        String text;

        @Option(names = {"-n", "--tokens"}, paramLabel = "N", description = "Tokens of greedy continuation (default: ${DEFAULT-VALUE}).")
        int tokens = 24;

        @Option(names = "--no-bos", description = "Do not add the BOS token the model asks for.")
        boolean noBos;

        @Option(names = "--html", paramLabel = "FILE", description = "Write the plot page.")
        Path html;

        @Option(names = "--json", description = "Print the rows as JSON.")
        boolean json;

        @Override
        public Integer call() {
            if (coefs.isEmpty()) throw new LoupeException("give at least one coefficient");
            SteerSpec spec0 = SteerSpec.parse(vector);
            if (spec0.coef() != 1f) throw new LoupeException("--vector takes no coefficient; the sweep sets it (use --coefs)");
            PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
            try (LoadedModel lm = LoadedModel.open(modelOptions)) {
                HookedModel hm = LensSupport.hooked(lm);
                String model = LensSupport.modelName(modelOptions);
                SteeringVector v = spec0.load().checkFits(lm.model().config(), model);
                List<int[]> ids = new ArrayList<>();
                for (String p : prompts) ids.add(LensSupport.encode(lm, p, noBos));
                int[] t = singleTokens(lm, targets, "--target-tokens"), f = singleTokens(lm, foils, "--foil-tokens");
                int[] lossText = text == null ? new int[0] : LensSupport.encode(lm, text, noBos);
                float[] c = new float[coefs.size()];
                for (int i = 0; i < c.length; i++) c[i] = coefs.get(i);
                List<SteeringSweep.Row> rows;
                try (Progress bar = Progress.count(err, "sweeping", c.length)) {
                    rows = SteeringSweep.run(hm, lm.tokenizer(), v, c, new SteeringSweep.Setup(ids, t, f, lossText, tokens), bar::update);
                }
                if (json) out.println(LensSupport.json(rows));
                else print(out, rows);
                if (html != null) {
                    SweepPlot.write(html, rows, "Steering sweep: " + vector,
                            model + ", " + v.point().name() + ", |v| = " + String.format("%.3f", v.norm())
                                    + (targets.isEmpty() ? "" : ", targets " + String.join(",", targets))
                                    + (foils.isEmpty() ? "" : ", foils " + String.join(",", foils)));
                    err.println("wrote " + html);
                }
            }
            return 0;
        }

        private static int[] singleTokens(LoadedModel lm, List<String> texts, String option) {
            int[] out = new int[texts.size()];
            for (int i = 0; i < out.length; i++) out[i] = LensSupport.singleToken(lm, texts.get(i), option);
            return out;
        }

        private static void print(PrintWriter out, List<SteeringSweep.Row> rows) {
            out.printf("%8s  %10s  %10s  %8s  %s%n", "coef", "p(target)", "logit diff", "loss", "greedy continuation");
            for (SteeringSweep.Row r : rows) {
                String sample = r.sample().replace("\n", "⏎");
                if (sample.length() > 70) sample = sample.substring(0, 70) + "…";
                out.printf("%8.2f  %10s  %10s  %8s  %s%n", r.coef(), num(r.targetProb(), "%.4f"), num(r.logitDiff(), "%.3f"),
                        num(r.loss(), "%.4f"), sample);
            }
        }

        private static String num(double v, String fmt) {
            return Double.isNaN(v) ? "-" : String.format(fmt, v);
        }
    }
}
