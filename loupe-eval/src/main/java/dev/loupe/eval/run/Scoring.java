package dev.loupe.eval.run;

import dev.loupe.core.lm.LanguageModel.LogLikelihood;
import dev.loupe.eval.metric.Item;
import dev.loupe.eval.metric.Metric;
import dev.loupe.eval.metric.PassAtK;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Turns model responses into per-row metric items, with lm-evaluation-harness's definitions. Pure functions. */
public final class Scoring {
    private Scoring() {}

    /**
     * lm_eval/api/task.py ConfigurableTask.process_results, output_type multiple_choice:
     * {@code pred = argmax(lls)}, {@code completion_len = [float(len(i)) for i in choices]},
     * {@code pred_norm = argmax(lls / completion_len)}; acc and acc_norm are 1.0 when they equal gold.
     * {@code len(i)} is Python's length of the choice string without the target delimiter, i.e. code points
     * (equal to its UTF-8 byte length for ASCII choices); ties go to the first choice, as numpy's argmax.
     */
    public static Outcome.Choice multipleChoice(String context, List<String> choices, List<LogLikelihood> lls, int gold, List<Metric> metrics) {
        int pred = 0, predNorm = 0;
        double best = Double.NEGATIVE_INFINITY, bestNorm = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < choices.size(); i++) {
            double ll = lls.get(i).logProb();
            double norm = ll / choices.get(i).codePointCount(0, choices.get(i).length());
            if (ll > best) { best = ll; pred = i; }
            if (norm > bestNorm) { bestNorm = norm; predNorm = i; }
        }
        Map<String, Item> m = new LinkedHashMap<>();
        if (metrics.contains(Metric.ACC)) m.put(Metric.ACC.id(), Item.of(pred == gold ? 1 : 0));
        if (metrics.contains(Metric.ACC_NORM)) m.put(Metric.ACC_NORM.id(), Item.of(predNorm == gold ? 1 : 0));
        return new Outcome.Choice(context, choices, lls.stream().map(LogLikelihood::logProb).toList(),
                lls.stream().map(LogLikelihood::greedy).toList(), lls.stream().map(LogLikelihood::tokens).toList(),
                gold, pred, predNorm, m);
    }

    /**
     * task.py, output_type loglikelihood_rolling: each metric is a (loglikelihood, count) pair; words are
     * {@code len(re.split(r"\s+", doc))} (Java's split with limit -1 keeps the same empty ends) and bytes
     * {@code len(doc.encode("utf-8"))}. Tokens are the continuation tokens the model scored.
     */
    public static Outcome.Rolling rolling(String document, LogLikelihood ll, List<Metric> metrics) {
        int words = document.split("\\s+", -1).length;
        int bytes = document.getBytes(StandardCharsets.UTF_8).length;
        Map<String, Item> m = new LinkedHashMap<>();
        for (Metric metric : metrics) {
            double count = switch (metric) {
                case PERPLEXITY -> ll.tokens();
                case WORD_PERPLEXITY -> words;
                case BYTE_PERPLEXITY, BITS_PER_BYTE -> bytes;
                default -> throw new IllegalArgumentException(metric.id());
            };
            m.put(metric.id(), new Item(ll.logProb(), count));
        }
        return new Outcome.Rolling(document, ll.logProb(), ll.tokens(), words, bytes, m);
    }

    /** exact_match on normalized extracted answers; nothing extracted never matches (the harness's "[invalid]"). */
    public static Outcome.Generated generated(String prompt, String output, String answer, String reference,
                                              String normAnswer, String normReference, List<Metric> metrics) {
        Map<String, Item> m = new LinkedHashMap<>();
        Boolean match = null;
        if (metrics.contains(Metric.EXACT_MATCH)) {
            match = normAnswer != null && Objects.equals(normAnswer, normReference);
            m.put(Metric.EXACT_MATCH.id(), Item.of(match ? 1 : 0));
        }
        return new Outcome.Generated(prompt, output, answer, reference, match, m);
    }

    /** pass@k per problem with Chen et al.'s unbiased estimator ({@link PassAtK}); the run's value is their mean. */
    public static Outcome.Executed executed(String prompt, List<String> outputs, List<Boolean> passed, List<String> details, List<Metric> metrics) {
        int correct = (int) passed.stream().filter(Boolean::booleanValue).count();
        Map<String, Item> m = new LinkedHashMap<>();
        for (Metric metric : metrics) m.put(metric.id(), Item.of(PassAtK.estimate(outputs.size(), correct, metric.passK())));
        return new Outcome.Executed(prompt, outputs, passed, details, correct, m);
    }
}
