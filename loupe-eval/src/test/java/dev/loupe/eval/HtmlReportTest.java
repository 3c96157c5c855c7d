package dev.loupe.eval;

import dev.loupe.eval.metric.Estimate;
import dev.loupe.eval.report.HtmlReport;
import dev.loupe.eval.report.SummaryTable;
import dev.loupe.eval.run.RunResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HtmlReportTest {
    static RunResult run(String model, double acc, double lo, double hi, double ppl) {
        return new RunResult("t", model, "loglikelihood", 100, 0, 1,
                List.of(new Estimate("acc", acc, 0.01, lo, hi, 100, true), new Estimate("perplexity", ppl, 1, ppl - 2, ppl + 2, 100, false)),
                "2026-01-01T00:00:00Z", 1);
    }

    @Test
    void sideBySideWithBoldOnlyForAClearWinnerAndNothingExternal() {
        String page = HtmlReport.render("cmp <1>", List.of(run("a<b>", 0.8, 0.75, 0.85, 10), run("b", 0.5, 0.45, 0.55, 11)));
        assertThat(page).contains("<title>cmp &lt;1&gt;</title>", "a&lt;b&gt;", "t / acc", "t / perplexity");
        // acc: intervals apart, so the better one is bold; perplexity: 10±2 and 11±2 overlap, so nobody is.
        assertThat(page).containsOnlyOnce("class=\"best\"").contains("<td class=\"best\">0.8000");
        assertThat(page).doesNotContain("<script", "http://", "https://", "<link");
        assertThat(SummaryTable.render(List.of(run("a", 0.8, 0.75, 0.85, 10)))).contains("acc ↑", "perplexity ↓", "[0.7500, 0.8500]");
    }
}
