package dev.loupe.data.dedup;

import dev.loupe.data.bench.MinHashEvaluation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MinHashTest {
    /**
     * Detection of planted pairs follows 1-(1-s^r)^b. Pairs are grouped by target similarity; in each group the
     * number detected is a sum of independent Bernoulli(S(J_i)) draws, so it must lie within 4 standard deviations
     * (plus one for discreteness) of the sum of the S(J_i). Correlated hash functions or a wrong banding fail this.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.5, 0.8})
    void detectionFollowsTheSCurve(double threshold) {
        MinHashDedup d = MinHashDedup.withThreshold(threshold);
        LshParams lsh = d.lsh();
        int perLevel = 60;
        List<MinHashEvaluation.Pair> pairs = MinHashEvaluation.run(d, MinHashEvaluation.grid(), perLevel, 150, 7);
        for (int g = 0; g < pairs.size() / perLevel; g++) {
            List<MinHashEvaluation.Pair> group = pairs.subList(g * perLevel, (g + 1) * perLevel);
            double expected = 0, var = 0;
            int observed = 0;
            for (MinHashEvaluation.Pair p : group) {
                double q = lsh.probability(p.jaccard());
                expected += q;
                var += q * (1 - q);
                if (p.detected()) observed++;
            }
            assertThat((double) observed).as("group %d (s~%.2f) with b=%d r=%d", g, (g + 1) * 0.05, lsh.bands(), lsh.rows())
                    .isBetween(expected - 4 * Math.sqrt(var) - 1, expected + 4 * Math.sqrt(var) + 1);
        }
    }

    @Test
    void plannedPairsHaveTheirTargetSimilarity() {
        MinHashDedup d = MinHashDedup.withThreshold(0.8);
        List<MinHashEvaluation.Pair> pairs = MinHashEvaluation.run(d, new double[]{0.3, 0.9}, 5, 200, 1);
        assertThat(pairs.subList(0, 5)).allSatisfy(p -> assertThat(p.jaccard()).isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.01)));
        assertThat(pairs.subList(5, 10)).allSatisfy(p -> assertThat(p.jaccard()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(0.01)));
    }

    @Test
    void bandingForCommonThresholds() {
        // datasketch's MinHashLSH chooses the same bands x rows for 128 permutations at these thresholds.
        assertThat(LshParams.forThreshold(0.8, 128)).isEqualTo(new LshParams(9, 13));
        LshParams p = LshParams.forThreshold(0.5, 128);
        assertThat(p.probability(0.5)).isBetween(0.3, 0.7);
        assertThat(p.bands() * p.rows()).isLessThanOrEqualTo(128);
    }

    /**
     * The optimal banding for 0.8 (b=9, r=13) puts the S-curve's steepest point near (1/b)^(1/r) = 0.845, so
     * pairs just above the threshold are often missed: recall is what the curve predicts, not 1, while precision
     * stays high because the curve falls fast below the threshold.
     */
    @Test
    void recallIsWhatTheCurvePredictsAndPrecisionIsHigh() {
        MinHashDedup d = MinHashDedup.withThreshold(0.8);
        var pairs = MinHashEvaluation.run(d, MinHashEvaluation.grid(), 20, 150, 11);
        var row = MinHashEvaluation.table(0.8, d.lsh(), pairs);
        double predicted = pairs.stream().filter(p -> p.jaccard() >= 0.8).mapToDouble(p -> d.lsh().probability(p.jaccard()))
                .average().orElseThrow();
        assertThat(row.recall()).isCloseTo(predicted, org.assertj.core.data.Offset.offset(0.08));
        assertThat(row.precision()).isGreaterThan(0.85);
    }
}
