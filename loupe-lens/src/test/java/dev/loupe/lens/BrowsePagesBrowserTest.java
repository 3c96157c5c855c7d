package dev.loupe.lens;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.lens.position.EngineScorer;
import dev.loupe.lens.position.PositionSweep;
import dev.loupe.lens.position.SweepReport;
import dev.loupe.lens.sae.SparseAutoencoder;
import dev.loupe.lens.sae.browse.FeatureBrowser;
import dev.loupe.lens.sae.browse.FeaturePage;
import dev.loupe.lens.sae.browse.FeatureStats;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SAE feature browser and the position-sweep plot in chromium ({@link BrowserPages}): no errors, the feature list
 * filters and sorts, clicking a feature shows its contexts with shaded tokens, the plot draws every point.
 */
class BrowsePagesBrowserTest extends FixtureModelTest {
    @Test
    void featureBrowserAndSweepPlotWorkInChromium() throws Exception {
        BrowserPages.requireTools();
        Path dir = Path.of("target/lens-pages").toAbsolutePath();
        Files.createDirectories(dir);
        Tokenizer tok = Tokenizer.fromMetadata(model.file().metadata());
        Path text = TestModels.shared().resolve("data/tinyshakespeare/input.txt");

        SparseAutoencoder sae = SparseAutoencoder.random(model.config().dim(), 40, 0, 5);
        for (int i = 0; i < sae.features(); i++) sae.params()[sae.features() * sae.inputDim() + i] = -0.6f - 0.02f * i;
        FeatureBrowser b = new FeatureBrowser(hm, sae, "blocks.1.hook_resid_post", new FeatureBrowser.Options(40, 4, 8, 4, 5), 1);
        CorpusChunks.forEach(text, tok, 32, 250, b::add);
        FeatureBrowser.Result fr = b.result("tiny-llama-f32");
        FeaturePage.write(fr, tok, dir.resolve("sae-features.html"));
        // The page's default order is density, highest first (ties to the lower id): the first row clicked.
        FeatureStats.Feature densest = fr.features().stream()
                .min(Comparator.comparingDouble((FeatureStats.Feature f) -> -f.density()).thenComparingInt(FeatureStats.Feature::id)).orElseThrow();
        assertThat(densest.contexts()).isNotEmpty();

        int[] filler = CorpusChunks.first(text, tok, 200);
        PositionSweep.Setup s = new PositionSweep.Setup(new int[] {tok.bos()}, filler, tok.encode("\nThe passkey is 4821.\n", false, false),
                tok.encode("\nWhat is the passkey? The passkey is", false, false), tok.encode(" 4821", false, false), 48);
        PositionSweep.Result sr;
        try (EngineScorer scorer = new EngineScorer(model, pool, 64)) {
            sr = PositionSweep.run(scorer, s, PositionSweep.depths(5), 2, null);
        }
        SweepReport.plot(sr, "tiny-llama-f32", "The passkey is 4821.").write(dir.resolve("position-sweep.html"));

        JsonNode r = BrowserPages.open(dir, List.of("sae-features.html", "position-sweep.html"));
        JsonNode features = r.get(0), sweep = r.get(1);
        assertThat(features.get("rows").asInt()).isEqualTo(40);
        assertThat(features.get("filtered").asInt()).as("searching for feature id 7").isEqualTo(1);
        assertThat(features.get("first_by_id").asInt()).isZero();
        assertThat(features.get("clicked").asInt()).isEqualTo(densest.id());
        assertThat(features.get("selected").asInt()).isEqualTo(1);
        assertThat(features.get("contexts").asInt()).isEqualTo(densest.contexts().size());
        assertThat(features.get("shaded").asInt()).isPositive();
        int k = sr.points().size();
        assertThat(sweep.get("panels").asInt()).isEqualTo(3);
        assertThat(sweep.get("points").asInt()).isEqualTo(3 * k);
        assertThat(sweep.get("table_rows").asInt()).isEqualTo(k + 1);
        assertThat(sweep.get("tooltip").asText()).contains("fact at token " + sr.points().getFirst().factStart());
    }
}
