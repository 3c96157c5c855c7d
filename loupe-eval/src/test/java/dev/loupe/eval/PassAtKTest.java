package dev.loupe.eval;

import dev.loupe.eval.metric.PassAtK;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Chen et al. 2021's unbiased pass@k: hand-computed cases, then the exact binomial formula over a grid. */
class PassAtKTest {
    @Test
    void handComputedValues() {
        assertThat(PassAtK.estimate(5, 2, 1)).isCloseTo(0.4, within(1e-15));          // c/n
        assertThat(PassAtK.estimate(5, 2, 2)).isCloseTo(0.7, within(1e-15));          // 1 - C(3,2)/C(5,2) = 1 - 3/10
        assertThat(PassAtK.estimate(10, 3, 5)).isCloseTo(1 - 21.0 / 252, within(1e-15)); // 1 - C(7,5)/C(10,5)
        assertThat(PassAtK.estimate(4, 3, 2)).isEqualTo(1.0);                          // n - c < k: every pair holds a pass
        assertThat(PassAtK.estimate(7, 0, 3)).isEqualTo(0.0);
        assertThat(PassAtK.estimate(1, 1, 1)).isEqualTo(1.0);
    }

    @Test
    void equalsOneMinusTheBinomialRatioEvenWhereBinomialsOverflowDoubles() {
        for (int n : new int[] {1, 2, 10, 37, 200}) {
            for (int c = 0; c <= n; c += Math.max(1, n / 7)) {
                for (int k : new int[] {1, 2, 10, 100}) {
                    if (k > n) continue;
                    BigDecimal ratio = new BigDecimal(binomial(n - c, k)).divide(new BigDecimal(binomial(n, k)), MathContext.DECIMAL128);
                    double exact = 1 - ratio.doubleValue();
                    assertThat(PassAtK.estimate(n, c, k)).as("n=%d c=%d k=%d", n, c, k).isCloseTo(exact, within(1e-12));
                }
            }
        }
    }

    @Test
    void kAboveNIsRefused() {
        assertThatThrownBy(() -> PassAtK.estimate(5, 1, 10)).hasMessageContaining("pass@10 needs at least 10 samples");
    }

    /** C(n, k), zero when k > n. */
    static BigInteger binomial(int n, int k) {
        if (k > n) return BigInteger.ZERO;
        BigInteger r = BigInteger.ONE;
        for (int i = 0; i < k; i++) r = r.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
        return r;
    }
}
