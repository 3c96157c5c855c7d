package dev.loupe.eval.metric;

import dev.loupe.core.LoupeException;
import dev.loupe.eval.task.RequestType;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * The metrics Loupe reports, with lm-evaluation-harness's aggregations (lm_eval/api/metrics.py):
 * {@code mean} for acc, acc_norm and exact_match; {@code weighted_perplexity} = exp(-Σll/Σn) for the perplexities;
 * {@code bits_per_byte} = -Σll/Σbytes/ln 2. Weighted ones are corpus-level ratios, not means of per-document ratios,
 * so a long document counts for its length.
 */
public enum Metric {
    ACC("acc", RequestType.LOGLIKELIHOOD, false, x -> x, true),
    ACC_NORM("acc_norm", RequestType.LOGLIKELIHOOD, false, x -> x, true),
    EXACT_MATCH("exact_match", RequestType.GENERATE_UNTIL, false, x -> x, true),
    /** Mean over problems of {@link PassAtK}; the k's the HumanEval paper reports. Needs an {@code execute} section. */
    PASS_AT_1("pass@1", 1),
    PASS_AT_10("pass@10", 10),
    PASS_AT_100("pass@100", 100),
    /** Per token: exp(-Σll / Σtokens). Tokenizer-dependent, so only comparable between models sharing a vocabulary. */
    PERPLEXITY("perplexity", RequestType.LOGLIKELIHOOD_ROLLING, true, x -> Math.exp(-x), false),
    /** metrics.py weighted_perplexity over (ll, words), words counted as len(re.split(r"\s+", doc)). */
    WORD_PERPLEXITY("word_perplexity", RequestType.LOGLIKELIHOOD_ROLLING, true, x -> Math.exp(-x), false),
    /** metrics.py weighted_perplexity over (ll, UTF-8 bytes). */
    BYTE_PERPLEXITY("byte_perplexity", RequestType.LOGLIKELIHOOD_ROLLING, true, x -> Math.exp(-x), false),
    /** metrics.py bits_per_byte: -weighted_mean(ll, bytes) / ln 2. */
    BITS_PER_BYTE("bits_per_byte", RequestType.LOGLIKELIHOOD_ROLLING, true, x -> -x / Math.log(2), false);

    private final String id;
    private final RequestType type;
    private final boolean weighted;
    private final DoubleUnaryOperator transform;
    private final boolean higherIsBetter;
    private final int passK;

    Metric(String id, RequestType type, boolean weighted, DoubleUnaryOperator transform, boolean higherIsBetter) {
        this(id, type, weighted, transform, higherIsBetter, 0);
    }

    Metric(String id, int passK) {
        this(id, RequestType.GENERATE_UNTIL, false, x -> x, true, passK);
    }

    Metric(String id, RequestType type, boolean weighted, DoubleUnaryOperator transform, boolean higherIsBetter, int passK) {
        this.id = id;
        this.type = type;
        this.weighted = weighted;
        this.transform = transform;
        this.higherIsBetter = higherIsBetter;
        this.passK = passK;
    }

    /** The k of a pass@k metric; 0 for the others. */
    public int passK() {
        return passK;
    }

    public String id() {
        return id;
    }

    public RequestType requestType() {
        return type;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** Aggregates the items at {@code idx} (a bootstrap resample, or 0..n-1). */
    public double aggregate(List<Item> items, int[] idx) {
        double num = 0, den = 0;
        for (int i : idx) {
            Item it = items.get(i);
            num += it.value();
            den += weighted ? it.weight() : 1;
        }
        return transform.applyAsDouble(num / den);
    }

    public double aggregate(List<Item> items) {
        int[] all = new int[items.size()];
        Arrays.setAll(all, i -> i);
        return aggregate(items, all);
    }

    public static Metric byId(String id) {
        for (Metric m : values()) if (m.id.equals(id)) return m;
        throw new LoupeException("unknown metric '" + id + "' (known: "
                + String.join(", ", Arrays.stream(values()).map(Metric::id).toList()) + ")");
    }

    /** Every metric of the request type that needs nothing but the task's rows (pass@k needs code execution). */
    public static List<Metric> defaults(RequestType type) {
        return Arrays.stream(values()).filter(m -> m.type == type && m.passK == 0).toList();
    }
}
