package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.lens.sae.SaeFile;
import dev.loupe.lens.sae.SparseAutoencoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code loupe lens sae browse} and {@code loupe lens position-sweep} end to end on the tiny fixture model. */
class LensBrowseCliTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static String corpus() {
        return CliTest.shared().resolve("data/tinyshakespeare/input.txt").toString();
    }

    @Test
    void browseWritesThePageAndCountsTheCorpus(@TempDir Path dir) throws Exception {
        Path sae = dir.resolve("sae.safetensors"), page = dir.resolve("features.html");
        SaeFile.save(sae, SparseAutoencoder.random(64, 32, 4, 3), "blocks.1.hook_resid_post", Map.of());
        CliTest.Result r = CliTest.run("lens", "sae", "browse", "-m", LensCliTest.model(), "-t", "2", "-c", "32", "--sae", sae.toString(),
                "--text", corpus(), "--tokens", "200", "--features", "10", "--top", "3", "-o", page.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode o = JSON.readTree(r.out());
        // 200 corpus tokens in sequences of BOS + 31: six full ones and one of 14.
        assertThat(o.get("tokens").asLong()).isEqualTo(200);
        assertThat(o.get("sequences").asInt()).isEqualTo(7);
        assertThat(o.get("features").asInt()).isEqualTo(10);
        assertThat(o.get("l0").asDouble()).isBetween(0.0, 4.0); // TopK 4 over 32 features; 10 of them shown
        assertThat(Files.readString(page)).contains("<title>SAE features: tiny-llama-f32.gguf blocks.1.hook_resid_post</title>");
    }

    @Test
    void positionSweepPlacesTheFactFromStartToEnd(@TempDir Path dir) throws Exception {
        Path html = dir.resolve("sweep.html");
        CliTest.Result r = CliTest.run("lens", "position-sweep", "-m", LensCliTest.model(), "-t", "2", "-c", "48", "--filler", corpus(),
                "--positions", "3", "--trials", "1", "--json", "--html", html.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode o = JSON.readTree(r.out());
        assertThat(o.get("trials").asInt()).isEqualTo(1);
        JsonNode pts = o.get("points");
        assertThat(pts).hasSize(3);
        assertThat(pts.get(0).get("factStart").asInt()).isEqualTo(1); // right after BOS
        assertThat(pts.get(1).get("factStart").asInt()).isGreaterThan(1).isLessThan(pts.get(2).get("factStart").asInt());
        for (JsonNode p : pts) {
            assertThat(p.get("accuracy").asDouble()).isBetween(0.0, 1.0);
            assertThat(p.get("meanLogProb").asDouble()).isNegative();
            assertThat(p.get("meanRank").asDouble()).isNotNegative();
        }
        assertThat(Files.readString(html)).contains("Lost in the middle: tiny-llama-f32.gguf");
    }

    @Test
    void userMistakesAreOneLineAndExitTwo(@TempDir Path dir) {
        Path sae = dir.resolve("sae.safetensors");
        SaeFile.save(sae, SparseAutoencoder.random(64, 8, 0, 3), "blocks.1.hook_resid_post", Map.of());
        for (String[] args : new String[][]{
                {"lens", "position-sweep", "-m", LensCliTest.model(), "--filler", corpus(), "--length", "8"},
                {"lens", "position-sweep", "-m", LensCliTest.model(), "--filler", dir.resolve("missing.txt").toString()},
                {"lens", "position-sweep", "-m", LensCliTest.model(), "--filler", corpus(), "--positions", "0"},
                {"lens", "sae", "browse", "-m", LensCliTest.model(), "--sae", dir.resolve("missing.safetensors").toString(), "--text", corpus(), "-o", dir.resolve("a.html").toString()},
                {"lens", "sae", "browse", "-m", LensCliTest.model(), "--sae", sae.toString(), "--text", corpus(), "--features", "9", "-o", dir.resolve("a.html").toString()}}) {
            CliTest.Result r = CliTest.run(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.errLines()).as(String.join(" ", args)).hasSize(1);
        }
    }
}
