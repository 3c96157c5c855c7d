package dev.loupe.core.speculate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The test's own statistics against printed tables, so a wrong p-value cannot pass a wrong sampler. */
class ChiSquareTest {
    @Test
    void upperTailMatchesTabulatedCriticalValues() {
        // Chi-square critical values (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.4): P(X > x) for df degrees.
        assertThat(ChiSquare.upperGamma(1 / 2.0, 3.841 / 2)).isCloseTo(0.05, within(1e-4));
        assertThat(ChiSquare.upperGamma(10 / 2.0, 18.307 / 2)).isCloseTo(0.05, within(1e-4));
        assertThat(ChiSquare.upperGamma(10 / 2.0, 23.209 / 2)).isCloseTo(0.01, within(1e-4));
        assertThat(ChiSquare.upperGamma(30 / 2.0, 59.703 / 2)).isCloseTo(0.001, within(1e-5));
        assertThat(ChiSquare.upperGamma(4 / 2.0, 0.711 / 2)).isCloseTo(0.95, within(1e-3));
        // Γ(5) = 24, Γ(1/2) = sqrt(pi).
        assertThat(ChiSquare.logGamma(5)).isCloseTo(Math.log(24), within(1e-12));
        assertThat(ChiSquare.logGamma(0.5)).isCloseTo(0.5 * Math.log(Math.PI), within(1e-12));
    }

    @Test
    void pValueOfAnExactFitIsOneAndOfAGrossMisfitIsTiny() {
        assertThat(ChiSquare.pValue(new long[]{250, 250, 500}, new double[]{0.25, 0.25, 0.5}, 1000)).isCloseTo(1.0, within(1e-9));
        assertThat(ChiSquare.pValue(new long[]{400, 100, 500}, new double[]{0.25, 0.25, 0.5}, 1000)).isLessThan(1e-20);
    }
}
