package dev.loupe.eval.metric;

/**
 * One sample's contribution to a metric: a value and a weight. Mean metrics use weight 1; the harness's weighted
 * metrics (perplexities, bits per byte) carry (log-likelihood, count) pairs and aggregate as sum/sum.
 */
public record Item(double value, double weight) {
    public static Item of(double value) {
        return new Item(value, 1);
    }
}
