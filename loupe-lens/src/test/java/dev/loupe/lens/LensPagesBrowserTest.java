package dev.loupe.lens;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.core.hook.HookPoint;
import dev.loupe.core.hook.HookSite;
import dev.loupe.core.model.Model;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.lens.ablate.Ablation;
import dev.loupe.lens.ablate.Metric;
import dev.loupe.lens.ablate.Patching;
import dev.loupe.lens.attention.AttentionView;
import dev.loupe.lens.induction.InductionHeads;
import dev.loupe.lens.logit.LogitLens;
import dev.loupe.lens.logit.LogitLensReport;
import dev.loupe.lens.steer.ContrastiveMean;
import dev.loupe.lens.steer.SteeringSweep;
import dev.loupe.lens.steer.SteeringVector;
import dev.loupe.lens.steer.SweepPlot;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every page loupe-lens writes, opened in Debian's chromium by playwright-core ({@link BrowserPages}): no console or
 * page errors, no network requests, the interactions work, and a screenshot of each lands in target/lens-pages.
 */
class LensPagesBrowserTest {
    @Test
    void everyPageLoadsCleanlyInChromium() throws Exception {
        BrowserPages.requireTools();
        Path dir = Path.of("target/lens-pages").toAbsolutePath();
        Files.createDirectories(dir);
        int L, H;
        try (Model m = TestModels.load("tiny-llama-f32"); ThreadPool pool = new ThreadPool(2)) {
            L = m.config().layers();
            H = m.config().heads();
            HookedModel hm = new HookedModel(m, pool);
            Tokenizer tok = Tokenizer.fromMetadata(m.file().metadata());
            int[] ids = tok.encode("The capital of France is", true, false);
            LogitLensReport.heatmap(LogitLens.run(hm, ids, 3), tok, "tiny-llama-f32").write(dir.resolve("logit-lens.html"));
            AttentionView.of(hm, tok, ids, "tiny-llama-f32").write(dir.resolve("attention.html"));
            Ablation ab = new Ablation(hm, ids, new Metric.Loss(0), Ablation.Kind.ZERO);
            ab.headHeatmap(ab.headGrid(), "tiny-llama-f32").write(dir.resolve("ablation.html"));
            int[] corrupted = ids.clone();
            corrupted[4] = 4699;
            Patching p = new Patching(hm, ids, corrupted, new Metric.LogitDiff(-1, 3681, 4699));
            p.positionHeatmap(HookSite.RESID_PRE, p.byLayerAndPosition(HookSite.RESID_PRE), TokenText.labels(tok, ids), "tiny-llama-f32")
                    .write(dir.resolve("patching.html"));
            InductionHeads.heatmap(InductionHeads.run(hm, tok.bos(), 8, IntStream.range(1000, 2000).toArray(), 2, 1, 1), "tiny-llama-f32")
                    .write(dir.resolve("induction.html"));
            SteeringVector steer = new SteeringVector(HookPoint.parse("blocks.1.hook_resid_pre"),
                    ContrastiveMean.of(hm, List.of(ids), List.of(corrupted), HookPoint.parse("blocks.1.hook_resid_pre"), ContrastiveMean.Reduce.MEAN, null),
                    "tiny-llama-f32", java.util.Map.of());
            SweepPlot.write(dir.resolve("steering.html"), SteeringSweep.run(hm, tok, steer, new float[] {-4, 0, 4},
                    new SteeringSweep.Setup(List.of(ids), new int[] {3681}, new int[] {4699}, ids, 4), null), "Steering sweep", "tiny-llama-f32");
        }
        List<String> pages = List.of("logit-lens.html", "attention.html", "ablation.html", "patching.html", "induction.html", "steering.html");
        JsonNode r = BrowserPages.open(dir, pages);
        int T = 6;
        for (JsonNode page : r) {
            String name = page.get("page").asText();
            switch (name) {
                case "attention.html" -> {
                    assertThat(page.get("lines").asInt()).isPositive();
                    assertThat(page.get("focused_lines").asInt()).isPositive().isLessThan(page.get("lines").asInt());
                    assertThat(page.get("canvases").asInt()).isEqualTo(L * H);
                    assertThat(page.get("head_view_visible").asBoolean()).isTrue();
                    assertThat(page.get("after_click_lines").asInt()).isPositive().isLessThan(page.get("lines").asInt());
                }
                case "steering.html" -> {
                    // three charts (p, logit diff, loss) of three coefficients each, and a row per coefficient
                    assertThat(page.get("panels").asInt()).isEqualTo(3);
                    assertThat(page.get("points").asInt()).isEqualTo(9);
                    assertThat(page.get("table_rows").asInt()).isEqualTo(3 + 1);
                    assertThat(page.get("tooltip").asText()).startsWith("p(target tokens):").contains("at coefficient -4");
                }
                case "logit-lens.html", "patching.html" -> {
                    int rows = name.equals("logit-lens.html") ? L + 1 : L;
                    assertThat(page.get("cells").asInt()).as(name).isEqualTo(rows * (T + 1));
                    assertThat(page.get("colored").asInt()).as(name).isEqualTo(rows * T);
                    assertThat(page.get("tooltip").asText()).as(name).isNotBlank();
                }
                default -> {
                    assertThat(page.get("cells").asInt()).as(name).isEqualTo(L * (H + 1));
                    assertThat(page.get("colored").asInt()).as(name).isEqualTo(L * H);
                }
            }
        }
    }
}
