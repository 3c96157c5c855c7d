package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.lens.HookedModel;
import dev.loupe.lens.edit.Rome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "edit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"ROME-style rank-one edit of one MLP down-projection: make PROMPT continue with --target, by",
                "rewriting what layer --layer's MLP outputs for the last token of --subject. Prints the target's",
                "probability before and after, and how much unrelated prompts' next-token distributions move (KL).",
                "The edit is applied through hooks for this run; the model file is not changed.", ""},
        footer = {"", "Examples:",
                "  loupe lens edit \"The capital of France is\" --subject France --target \" Rome\" --layer 1",
                "  loupe lens edit \"ROMEO:\" --subject ROMEO --target \" Hello\" --layer 2 --check \"JULIET:\" --json"})
final class LensEditCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LensPrompt prompt;

    @Option(names = "--subject", required = true, description = "Text inside the prompt whose last token holds the fact.")
    String subject;

    @Option(names = "--target", required = true, description = "The new next token (exactly one token; mind the leading space).")
    String target;

    @Option(names = "--layer", required = true, description = "Layer whose MLP down-projection is edited.")
    int layer;

    @Option(names = "--steps", description = "Finite-difference gradient steps for v* (default: ${DEFAULT-VALUE}).")
    int steps = 10;

    @Option(names = "--check", paramLabel = "PROMPT", description = "Unrelated prompt for the specificity check (repeatable; default: three fixed ones).")
    List<String> checks = new ArrayList<>(List.of("Once upon a time", "1, 2, 3,", "The weather today is"));

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel lm = prompt.open()) {
            HookedModel hm = LensSupport.hooked(lm);
            String text = String.join(" ", prompt.words);
            int at = text.lastIndexOf(subject);
            if (subject.isEmpty() || at < 0) throw new LoupeException("--subject '" + subject + "' is not in the prompt");
            int[] ids = prompt.ids(lm);
            int[] head = LensSupport.encode(lm, text.substring(0, at + subject.length()), prompt.noBos);
            if (!java.util.Arrays.equals(head, java.util.Arrays.copyOf(ids, head.length))) {
                throw new LoupeException("the prompt's tokens do not split after the subject; end the subject at a word boundary");
            }
            int tgt = LensSupport.singleToken(lm, target, "--target");
            List<int[]> corpus = new ArrayList<>();
            for (String c : checks) corpus.add(LensSupport.encode(lm, c, prompt.noBos));
            corpus.add(ids);
            Rome.Result r = Rome.edit(hm, new Rome.Request(layer, List.of(head), ids, head.length - 1, tgt), corpus,
                    new Rome.Options(steps, 0.5, 0.9, 1e-2));
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("layer", layer);
            o.put("p_before", r.probBefore());
            o.put("p_after", r.probAfter());
            Map<String, Double> kl = new LinkedHashMap<>();
            kl.put(text, Rome.nextTokenKl(hm, ids, r.edit()));
            for (String c : checks) kl.put(c, Rome.nextTokenKl(hm, LensSupport.encode(lm, c, prompt.noBos), r.edit()));
            o.put("kl", kl);
            if (json) out.println(LensSupport.json(o));
            else {
                out.printf("p(%s | prompt): %.4f -> %.4f  (layer %d, rank-one edit of ffn_down)%n", target, r.probBefore(), r.probAfter(), layer);
                out.println("next-token KL(before || after):");
                kl.forEach((k, v) -> out.printf("  %-40s %.5f%n", k, v));
            }
        }
        return 0;
    }
}
