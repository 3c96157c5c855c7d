package dev.loupe.eval;

import dev.loupe.eval.metric.Bootstrap;
import dev.loupe.eval.metric.Estimate;
import dev.loupe.eval.metric.Item;
import dev.loupe.eval.metric.Metric;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BootstrapTest {

    @Test
    void seededAndCloseToTheAnalyticStandardErrorOfAMean() {
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 200; i++) items.add(Item.of(i % 4 == 0 ? 1 : 0));  // p = 0.25
        Estimate a = new Bootstrap(7, 2000).estimate(Metric.ACC, items);
        Estimate b = new Bootstrap(7, 2000).estimate(Metric.ACC, items);
        assertThat(a).isEqualTo(b);
        assertThat(a.value()).isEqualTo(0.25);
        double analytic = Math.sqrt(0.25 * 0.75 / 200);  // 0.0306
        assertThat(a.stderr()).isCloseTo(analytic, within(0.004));
        // The 95% percentile interval is about value ± 1.96 stderr.
        assertThat(a.ciLow()).isCloseTo(0.25 - 1.96 * analytic, within(0.015));
        assertThat(a.ciHigh()).isCloseTo(0.25 + 1.96 * analytic, within(0.015));
        assertThat(new Bootstrap(8, 2000).estimate(Metric.ACC, items).stderr()).isNotEqualTo(a.stderr());
    }

    @Test
    void oneSampleHasNoInterval() {
        Estimate e = new Bootstrap(1, 10).estimate(Metric.ACC, List.of(Item.of(1)));
        assertThat(e.value()).isEqualTo(1.0);
        assertThat(e.stderr()).isNaN();
    }
}
