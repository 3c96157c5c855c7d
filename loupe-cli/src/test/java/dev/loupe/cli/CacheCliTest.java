package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code loupe cache}: what a model's first load wrote is listed with its model, and --prune/--clear delete the right files. */
class CacheCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Path cache;
    private String saved;

    @BeforeEach
    void pointTheCacheHere() {
        cache = dir.resolve("cache");
        saved = System.getProperty("loupe.cacheDir");
        System.setProperty("loupe.cacheDir", cache.toString());
    }

    @AfterEach
    void restore() {
        if (saved == null) System.clearProperty("loupe.cacheDir");
        else System.setProperty("loupe.cacheDir", saved);
    }

    @Test
    void listsWhatLoadsWroteAndPrunesOnlyCachesOfVanishedModels() throws Exception {
        assertThat(CliTest.run("cache").out()).contains("no cached models in " + cache);

        Path kept = Files.copy(CliTest.shared().resolve("fixtures/models/tiny-llama-q4_0.gguf"), dir.resolve("kept.gguf"));
        Path gone = Files.copy(CliTest.shared().resolve("fixtures/models/tiny-llama-q4_0.gguf"), dir.resolve("gone.gguf"));
        for (Path m : new Path[] {kept, gone}) {
            assertThat(CliTest.run("run", "-m", m.toString(), "-p", "Hi", "-n", "1", "--temp", "0").code()).isZero();
        }
        JsonNode all = JSON.readTree(CliTest.run("cache", "--json").out());
        assertThat(all).hasSize(2);
        for (JsonNode c : all) {
            assertThat(c.get("bytes").asLong()).isPositive();
            assertThat(c.get("orphaned").asBoolean()).isFalse();
        }
        assertThat(all.findValuesAsText("model")).containsExactlyInAnyOrder(kept.toString(), gone.toString());

        Files.delete(gone);
        CliTest.Result listed = CliTest.run("cache");
        assertThat(listed.out()).contains(kept.toString()).contains(gone + "  (gone: --prune deletes it)").contains("2 files");

        CliTest.Result pruned = CliTest.run("cache", "--prune");
        assertThat(pruned.code()).isZero();
        assertThat(pruned.out()).contains("deleted 1 cache file,").contains(kept.toString()).doesNotContain(gone.toString());
        assertThat(JSON.readTree(CliTest.run("cache", "--dir", cache.toString(), "--json").out()).findValuesAsText("model"))
                .containsExactly(kept.toString());

        CliTest.Result cleared = CliTest.run("cache", "--clear");
        assertThat(cleared.out()).contains("deleted 1 cache file,");
        try (var files = Files.list(cache)) {
            assertThat(files.filter(p -> p.toString().endsWith(".repack"))).isEmpty();
        }
    }

    @Test
    void pruneAndClearTogetherIsAUserError() {
        CliTest.Result r = CliTest.run("cache", "--prune", "--clear");
        assertThat(r.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.errLines()).singleElement().asString().contains("--prune and --clear do not go together");
    }
}
