package dev.loupe.think;

import static org.assertj.core.api.Assertions.assertThat;

/** Statistical assertions with a stated tolerance. */
final class Expect {
    private Expect() {}

    /** {@code hits} of {@code trials} is within 4.5 binomial standard deviations of probability {@code p}. */
    static void binomial(int hits, int trials, double p) {
        double sd = Math.sqrt(p * (1 - p) / trials);
        assertThat((double) hits / trials).as("accuracy over %d trials, expected %.4f ± %.4f", trials, p, 4.5 * sd)
                .isBetween(p - 4.5 * sd, p + 4.5 * sd);
    }
}
