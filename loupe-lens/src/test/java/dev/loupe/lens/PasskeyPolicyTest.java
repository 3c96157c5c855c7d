package dev.loupe.lens;

import dev.loupe.core.context.ContextPolicy;
import dev.loupe.core.context.Passkey;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Passkey retrieval across positions under each context policy, on the copying model {@link InductionTraining} trains
 * (an induction head: after the key again, it predicts what followed the key before). The pattern each policy must
 * show follows from what it keeps: the value's cache slot holds the induction head's key and value for it, so the
 * passkey is retrievable exactly while that slot is in the cache.
 */
class PasskeyPolicyTest {
    static final int LENGTH = 48, BUDGET = 24, TRIALS = 5;

    @Test
    void eachPolicyRetrievesWhereItKeepsThePasskey(@TempDir Path dir) {
        InductionTraining.Trained t = InductionTraining.trainedOnce(InductionHeadsTest.RECIPE);
        Path file = dir.resolve("copy.gguf");
        InductionTraining.write(t, file);
        Map<String, double[]> table = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (Model m = Model.load(file); ThreadPool pool = new ThreadPool(1)) {
            double[] full = run(m, pool, LENGTH, new ContextPolicy.None());
            double[] sinks = run(m, pool, BUDGET, new ContextPolicy.Sinks(4));
            double[] shift = run(m, pool, BUDGET, new ContextPolicy.Shift(0));
            double[] h2o = run(m, pool, BUDGET, new ContextPolicy.HeavyHitters(12));
            table.put("full cache (" + LENGTH + ")", full);
            table.put("sinks(4), " + BUDGET, sinks);
            table.put("shift(keep 0), " + BUDGET, shift);
            table.put("h2o(heavy 12), " + BUDGET, h2o);
            table.forEach((k, v) -> System.out.printf("passkey %-20s %s%n", k, Arrays.toString(v)));
            System.out.printf("passkey: %d sequences of %d tokens per policy in %.1f s%n", POSITIONS.length * TRIALS, LENGTH, (System.nanoTime() - t0) / 1e9);

            // Chance is 1/30; the model retrieves about half the time where the value's slot is cached (measured 0.4-0.6).
            assertThat(mean(full, p -> true)).as("full cache, every position").isGreaterThan(0.4);
            // The query is token 47. sinks(4) in 24 slots then holds tokens 0..3 and 28..47: the value at p + 1 is kept
            // iff p + 1 < 4 or p + 1 >= 28.
            assertThat(mean(sinks, p -> p + 1 < 4 || p + 1 >= 28)).as("sinks, value kept").isGreaterThan(0.3);
            assertThat(mean(sinks, p -> !(p + 1 < 4 || p + 1 >= 28))).as("sinks, value evicted").isLessThan(0.1);
            // shift: n_past reaches 23 at tokens 23, 34 and 45, each time dropping the oldest 11 (n_keep 0), so at the
            // query the cache holds tokens 33..47.
            assertThat(mean(shift, p -> p + 1 >= 33)).as("shift, value kept").isGreaterThan(0.3);
            assertThat(mean(shift, p -> p + 1 < 33)).as("shift, value evicted").isLessThan(0.1);
            // h2o(12): the last 12 tokens (36..47) are always kept; what else stays depends on the attention received.
            assertThat(mean(h2o, p -> p + 1 >= 36)).as("h2o, value in the recent window").isGreaterThan(0.2);
        }
    }

    /**
     * Positions of the pair tested: those whose distance to the query (47 - p) lies within the periods the model was
     * trained to copy across (4 to 32, see the recipe), with a margin: p in 17..41.
     */
    static final int[] POSITIONS = java.util.stream.IntStream.rangeClosed(17, 41).toArray();

    private static double mean(double[] acc, java.util.function.IntPredicate where) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < POSITIONS.length; i++) {
            if (where.test(POSITIONS[i])) {
                sum += acc[i];
                n++;
            }
        }
        return sum / n;
    }

    private static double[] run(Model m, ThreadPool pool, int ctx, ContextPolicy p) {
        try (Session s = new Session(m, ctx, pool)) {
            s.setContextPolicy(p);
            return Passkey.accuracy(s, LENGTH, POSITIONS, InductionHeadsTest.RECIPE.tokens(), TRIALS, 17);
        }
    }
}
