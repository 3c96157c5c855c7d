package dev.loupe.core.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {
    /** Everything but temperature off, so samples follow softmax(logits / T) exactly. */
    private static SamplingParams plain(float temperature, long seed) {
        return SamplingParams.defaults().withTemperature(temperature).withTopK(0).withTopP(1f).withMinP(0f).withSeed(seed);
    }

    @Test
    void greedyTakesTheLowestIdAmongTies() {
        var s = new Sampler(SamplingParams.greedy());
        assertEquals(1, s.sample(new float[] {1f, 3f, 3f, 2f}));
        assertEquals(0, s.sample(new float[] {5f, 5f, 5f}));
    }

    @Test
    void greedyStillAppliesPenalties() {
        var s = new Sampler(SamplingParams.greedy().withPenalties(2f, 0f, 0f, 64));
        assertEquals(2, s.sample(new float[] {1f, 3f, 2f}, new int[] {1}, 1)); // 3/2 = 1.5 < 2
    }

    @Test
    void sameSeedSameTokens() {
        float[] logits = randomLogits(32000, 7);
        int[] a = run(new Sampler(SamplingParams.defaults().withSeed(42)), logits, 200);
        int[] b = run(new Sampler(SamplingParams.defaults().withSeed(42)), logits, 200);
        int[] c = run(new Sampler(SamplingParams.defaults().withSeed(43)), logits, 200);
        assertArrayEquals(a, b);
        assertTrue(!Arrays.equals(a, c), "a different seed should give a different sequence");
    }

    @Test
    void randomSeedIsReportedSoARunCanBeRepeated() {
        float[] logits = randomLogits(1000, 3);
        var first = new Sampler(SamplingParams.defaults());
        var again = new Sampler(SamplingParams.defaults().withSeed(first.seed()));
        assertArrayEquals(run(first, logits, 50), run(again, logits, 50));
    }

    /**
     * Chi-square goodness of fit of 200k draws against softmax(logits / T) over 10 tokens. With a fixed seed the
     * statistic is deterministic; 27.88 is the 0.999 quantile for 9 degrees of freedom.
     */
    @Test
    void samplesFollowTheSoftmaxDistribution() {
        float[] logits = {0.5f, -1f, 2f, 0f, 1.2f, -0.3f, 0.9f, 1.7f, -2f, 0.1f};
        float temp = 0.7f;
        var s = new Sampler(plain(temp, 1234));
        int n = 200_000;
        long[] counts = new long[logits.length];
        for (int i = 0; i < n; i++) counts[s.sample(logits)]++;
        double[] p = softmax(logits, temp);
        double chi2 = 0;
        for (int i = 0; i < logits.length; i++) {
            double e = n * p[i];
            chi2 += (counts[i] - e) * (counts[i] - e) / e;
        }
        assertTrue(chi2 < 27.88, "chi-square " + chi2 + " counts " + Arrays.toString(counts));
    }

    @Test
    void defaultChainNeverPicksOutsideTopK() {
        float[] logits = randomLogits(50_000, 11);
        var s = new Sampler(SamplingParams.defaults().withSeed(5).withTopP(1f).withMinP(0f).withTemperature(5f));
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Float.compare(logits[y], logits[x]));
        var top40 = Arrays.stream(order, 0, 40).mapToInt(Integer::intValue).boxed().toList();
        for (int i = 0; i < 2000; i++) assertTrue(top40.contains(s.sample(logits)));
    }

    @Test
    void keepTopMatchesAFullSort() {
        float[] logits = randomLogits(128_000, 99);
        logits[5] = logits[77] = 10f; // a tie: the lower id comes first
        Candidates c = new Candidates();
        c.reset(logits, logits.length);
        c.keepTop(40);
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> logits[x] != logits[y] ? Float.compare(logits[y], logits[x]) : Integer.compare(x, y));
        for (int i = 0; i < 40; i++) assertEquals(order[i].intValue(), c.ids[i], "rank " + i);
        assertEquals(5, c.ids[0]);
        assertEquals(77, c.ids[1]);
    }

    @Test
    void samplingAStepAllocatesNothing() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        float[] logits = randomLogits(128_000, 1);
        int[] history = new int[64];
        var s = new Sampler(SamplingParams.defaults().withSeed(1).withPenalties(1.1f, 0.1f, 0.1f, 64));
        for (int i = 0; i < 200; i++) s.sample(logits, history, history.length); // buffers allocated, code warmed up
        long tid = Thread.currentThread().threadId();
        long before = bean.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 200; i++) history[i % 64] = s.sample(logits, history, history.length);
        long allocated = bean.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 200 * 16, "allocated " + allocated + " bytes in 200 steps");
    }

    @Test
    void logprobsAreLogSoftmaxOfTheRawLogits() {
        float[] logits = {(float) Math.log(1), (float) Math.log(2), (float) Math.log(3), (float) Math.log(4)};
        var s = new Sampler(SamplingParams.defaults().withTemperature(0.2f).withLogprobs(2).withSeed(1));
        Logprobs lp = s.logprobs(logits, 1);
        assertEquals(1, lp.chosen().token());
        assertEquals(Math.log(0.2), lp.chosen().logprob(), 1e-6);
        assertEquals(2, lp.top().size());
        assertEquals(3, lp.top().get(0).token());
        assertEquals(Math.log(0.4), lp.top().get(0).logprob(), 1e-6);
        assertEquals(2, lp.top().get(1).token());
        assertEquals(Math.log(0.3), lp.top().get(1).logprob(), 1e-6);
    }

    private static int[] run(Sampler s, float[] logits, int steps) {
        int[] out = new int[steps];
        for (int i = 0; i < steps; i++) out[i] = s.sample(logits);
        return out;
    }

    private static float[] randomLogits(int n, long seed) {
        var r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (r.nextGaussian() * 2);
        return out;
    }

    private static double[] softmax(float[] logits, float temp) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l / temp);
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < logits.length; i++) sum += p[i] = Math.exp(logits[i] / temp - max);
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }
}
