package dev.loupe.core.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Known answers from llama.cpp's tests/test-sampling.cpp, re-derived: candidates start with logit ln(p) for the
 * given probabilities, one sampler is applied, and the probabilities of the survivors (in their resulting order, as
 * llama.cpp's dist sampler normalizes them) must match to 1e-5.
 */
class SamplerLlamaCppTest {
    private static final float[] P4 = {0.1f, 0.2f, 0.3f, 0.4f};

    @ParameterizedTest(name = "top_k {0}")
    @CsvSource(delimiter = '|', value = {"1 | 1.0", "3 | 0.44444 0.33333 0.22222", "4 | 0.4 0.3 0.2 0.1", "0 | 0.1 0.2 0.3 0.4"})
    void topK(int k, String expected) {
        check(P4, c -> Truncation.topK(c, k), expected);
    }

    @ParameterizedTest(name = "top_p {0}")
    @CsvSource(delimiter = '|', value = {"0 | 1.0", "0.7 | 0.571429 0.428571", "0.8 | 0.44444 0.33333 0.22222", "1.0 | 0.1 0.2 0.3 0.4"})
    void topP(float p, String expected) {
        check(P4, c -> Truncation.topP(c, p), expected);
    }

    @ParameterizedTest(name = "min_p {0}")
    @CsvSource(delimiter = '|', value = {
        "0.00 | 0.1 0.2 0.3 0.4", "0.24 | 0.1 0.2 0.3 0.4",
        "0.26 | 0.22222222 0.33333333 0.44444444", "0.49 | 0.22222222 0.33333333 0.44444444",
        "0.51 | 0.42857143 0.57142857", "0.74 | 0.42857143 0.57142857",
        "0.76 | 1.0", "1.00 | 1.0", "1.05 | 1.0"})
    void minP(float p, String expected) {
        check(P4, c -> Truncation.minP(c, p), expected);
    }

    @ParameterizedTest(name = "penalties repeat {2} freq {3} presence {4} after [{0}]")
    @CsvSource(delimiter = '|', value = {
        "0         | 0 0.25 0.25 0.25 0.25                          | 50 | 0 | 0",
        "0 1 2     | 0 0 0 0.5 0.5                                  | 50 | 0 | 0",
        "0 1 2 0 0 | 0 0 0 0.5 0.5                                  | 50 | 0 | 0",
        "0         | 0.000011 0.249997 0.249997 0.249997 0.249997   | 1  | 5 | 5",
        "0 1 2     | 0.000023 0.000023 0.000023 0.499966 0.499966   | 1  | 5 | 5",
        "0 1 2 0 0 | 0.000000 0.000023 0.000023 0.499977 0.499977   | 1  | 5 | 5"})
    void penalties(String last, String expected, float repeat, float freq, float presence) {
        int[] history = ints(last);
        // llama.cpp's test uses a window exactly as long as the history.
        var params = SamplingParams.defaults().withPenalties(repeat, freq, presence, history.length);
        var penalties = new Penalties();
        check(new float[] {0.2f, 0.2f, 0.2f, 0.2f, 0.2f}, c -> penalties.apply(c.logits, c.size, history, history.length, params), expected);
    }

    /** test_sampler_queue: chains of k/p/m over 10000 tokens with logit ln(id); the expected sizes are llama.cpp's formulas. */
    @ParameterizedTest(name = "queue {0} top_k {1} top_p {2} min_p {3}")
    @CsvSource({
        "k, 10000, 1.0, 1.0", "k, 1, 1.0, 1.0", "p, 10000, 1.0, 1.0", "p, 10000, 0.0, 1.0", "m, 10000, 1.0, 1.0",
        "m, 10000, 1.0, 1e-12", "k, 100, 1.0, 1.0", "p, 10000, 0.0003, 1.0", "p, 10000, 0.8, 1.0",
        "m, 10000, 1.0, 9997.9/9999", "m, 10000, 1.0, 0.1",
        "kp, 100, 0.8, 0.1", "km, 100, 0.8, 0.1", "pk, 100, 0.8, 0.1", "pm, 100, 0.8, 0.1", "mk, 100, 0.8, 0.1",
        "mp, 100, 0.8, 9997.9/9999", "mp, 100, 0.8, 0.1",
        "kpm, 100, 0.8, 0.1", "kmp, 100, 0.8, 0.1", "pkm, 100, 0.8, 0.1", "pmk, 100, 0.8, 0.1", "mkp, 100, 0.8, 0.1", "mpk, 100, 0.8, 0.1"})
    void samplerQueue(String sequence, int topK, float topP, String minPText) {
        float minP = fraction(minPText);
        int nVocab = 10000;
        float[] logits = new float[nVocab];
        for (int i = 0; i < nVocab; i++) logits[i] = (float) Math.log(i);
        Candidates c = new Candidates();
        c.reset(logits, nVocab);
        int minTokenId = 0;
        int maxTokenId = nVocab - 1;
        for (char s : sequence.toCharArray()) {
            switch (s) {
                case 'k' -> Truncation.topK(c, topK);
                case 'p' -> Truncation.topP(c, topP);
                case 'm' -> Truncation.minP(c, minP);
                default -> throw new IllegalArgumentException(sequence);
            }
            int size = c.size;
            if (s == 'k') {
                int expectedSize = Math.min(size, topK);
                minTokenId = Math.max(minTokenId, nVocab - topK);
                assertEquals(expectedSize, size);
                assertEquals(maxTokenId, c.ids[0]);
                assertEquals(minTokenId, c.ids[expectedSize - 1]);
            } else if (s == 'p') {
                int divisor = nVocab * (nVocab - 1) / 2 - minTokenId * (minTokenId - 1) / 2;
                int target = (int) Math.ceil(topP * divisor);
                minTokenId = nVocab;
                int expectedSize = 0;
                int cumsum = 0;
                do {
                    minTokenId--;
                    expectedSize++;
                    cumsum += minTokenId;
                } while (cumsum < target);
                if (minTokenId == 1) {
                    minTokenId--;
                    expectedSize++;
                }
                assertEquals(expectedSize, size);
                if (c.sorted) {
                    assertEquals(maxTokenId, c.ids[0]);
                    assertEquals(minTokenId, c.ids[expectedSize - 1]);
                }
            } else {
                int expectedSize = (int) Math.ceil((1.0f - minP) * nVocab);
                expectedSize = Math.max(expectedSize, 1);
                expectedSize = Math.min(expectedSize, size);
                minTokenId = (int) Math.floor(minP * nVocab);
                minTokenId = Math.max(minTokenId, 1);
                minTokenId = Math.max(minTokenId, nVocab - size);
                minTokenId = Math.min(minTokenId, nVocab - 1);
                assertEquals(expectedSize, size);
                if (c.sorted) {
                    assertEquals(maxTokenId, c.ids[0]);
                    assertEquals(minTokenId, c.ids[expectedSize - 1]);
                }
            }
        }
    }

    private static void check(float[] probs, Consumer<Candidates> sampler, String expected) {
        float[] logits = new float[probs.length];
        for (int i = 0; i < probs.length; i++) logits[i] = (float) Math.log(probs[i]);
        Candidates c = new Candidates();
        c.reset(logits, logits.length);
        sampler.accept(c);
        c.softmax();
        float[] want = floats(expected);
        float[] got = Arrays.copyOf(c.probs, c.size);
        assertArrayEquals(want, got, 1e-5f, () -> "got " + Arrays.toString(got));
    }

    /** "a/b" computed in float, as the C++ test writes 9997.9f/9999.0f. */
    private static float fraction(String s) {
        String[] ab = s.split("/");
        return ab.length == 1 ? Float.parseFloat(s) : Float.parseFloat(ab[0]) / Float.parseFloat(ab[1]);
    }

    private static float[] floats(String s) {
        String[] parts = s.trim().split("\\s+");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) out[i] = Float.parseFloat(parts[i]);
        return out;
    }

    private static int[] ints(String s) {
        return Arrays.stream(s.trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }
}
