package dev.loupe.data.synth;

import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.Example;
import dev.loupe.data.step.StepStats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Synthetic data with a consistency filter: each seed prompt is completed {@code samples} times through the
 * {@link LanguageModel} seam (sample i uses seed {@code seed + i}, so a run is reproducible), and only what passes
 * the checks is kept:
 * <ul>
 *   <li><b>arithmetic</b> (an executable check): a sample survives only if it states at least one equation and
 *       every equation evaluates to what it claims ({@link Arithmetic});</li>
 *   <li><b>self-consistency</b> (Wang et al. 2023, "Self-Consistency Improves Chain of Thought Reasoning"): the
 *       surviving samples' final answers ({@link Answers}) are put to a vote; the prompt is kept only if the most
 *       common answer has at least {@code minAgreement} of all samples (ties for first place are rejected).</li>
 * </ul>
 * One document per kept prompt: the first surviving sample with the winning answer (or, without a vote, the
 * first surviving sample), text = prompt + completion, metadata {@code prompt}, {@code answer}, {@code agreement}.
 */
public final class SyntheticData {
    /**
     * @param samples       completions per prompt
     * @param params        sampling (temperature must be above 0 for samples to differ)
     * @param arithmetic    apply the arithmetic check to each sample
     * @param minAgreement  vote threshold in (0, 1]; null for no vote
     */
    public record Options(int samples, SamplingParams params, boolean arithmetic, Double minAgreement) {
        public Options {
            if (samples < 1) throw new dev.loupe.core.LoupeException("samples must be at least 1");
            if (minAgreement != null && !(minAgreement > 0 && minAgreement <= 1))
                throw new dev.loupe.core.LoupeException("min agreement must be in (0, 1]: " + minAgreement);
        }
    }

    /** What was kept, and the counts and rejected examples for the report. */
    public record Result(List<Document> kept, StepStats stats) {}

    private SyntheticData() {}

    public static Result generate(List<String> prompts, LanguageModel lm, Options o) {
        StepStats stats = new StepStats("synthetic", 5);
        Counters c = stats.counters();
        List<Document> kept = new ArrayList<>();
        long base = o.params().seed() == SamplingParams.RANDOM_SEED ? 0 : o.params().seed();
        for (int p = 0; p < prompts.size(); p++) {
            String prompt = prompts.get(p);
            c.inc("prompts");
            List<String> good = new ArrayList<>();
            for (int i = 0; i < o.samples(); i++) {
                String s = lm.complete(prompt, o.params().withSeed(base + i), null).text();
                c.inc("samples");
                String why = o.arithmetic() ? arithmeticFailure(s) : null;
                if (why == null) good.add(s);
                else {
                    c.inc("samples_rejected:" + why);
                    stats.example(Example.of(why, "prompt " + p, prompt + s, null));
                }
            }
            Document d = decide(p, prompt, good, o, c, stats);
            if (d != null) kept.add(d);
        }
        c.add("kept", kept.size());
        return new Result(kept, stats);
    }

    private static String arithmeticFailure(String sample) {
        List<Arithmetic.Equation> eqs = Arithmetic.equations(sample);
        if (eqs.isEmpty()) return "no_equation";
        for (Arithmetic.Equation e : eqs) if (!e.correct()) return "wrong_arithmetic";
        return null;
    }

    private static Document decide(int p, String prompt, List<String> good, Options o, Counters c, StepStats stats) {
        if (good.isEmpty()) {
            c.inc("dropped:no_valid_sample");
            return null;
        }
        if (o.minAgreement() == null) return doc(p, prompt, good.getFirst(), Answers.extract(good.getFirst()), null);
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (String s : good) {
            String a = Answers.extract(s);
            if (a != null) votes.merge(a, 1, Integer::sum);
        }
        String winner = null;
        int best = 0;
        boolean tie = false;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > best) {
                winner = e.getKey();
                best = e.getValue();
                tie = false;
            } else if (e.getValue() == best) {
                tie = true;
            }
        }
        double agreement = (double) best / o.samples();
        String reason = winner == null ? "no_answer" : tie ? "tied_vote" : agreement < o.minAgreement() ? "low_agreement" : null;
        if (reason != null) {
            c.inc("dropped:" + reason);
            stats.example(Example.of(reason, "prompt " + p, prompt, null));
            return null;
        }
        for (String s : good) {
            if (winner.equals(Answers.extract(s))) return doc(p, prompt, s, winner, agreement);
        }
        throw new IllegalStateException("unreachable: the winner came from a sample");
    }

    private static Document doc(int p, String prompt, String completion, String answer, Double agreement) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("prompt", prompt);
        if (answer != null) meta.put("answer", answer);
        if (agreement != null) meta.put("agreement", Math.round(agreement * 1e4) / 1e4);
        return new Document("synth-" + p, prompt + completion, meta, new DocKey(0, p + 1));
    }
}
