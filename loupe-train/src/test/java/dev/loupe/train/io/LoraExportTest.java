package dev.loupe.train.io;

import dev.loupe.core.LoupeException;
import dev.loupe.core.lora.LoraSpec;
import dev.loupe.core.lora.LoraTarget;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.train.SplitMix64;
import dev.loupe.train.TestData;
import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.nn.Lora;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A GGUF base (llama.cpp-written fixture) imported into the trainer, LoRA adapters on it exported both as a
 * llama.cpp-format adapter and merged into a full model; Loupe's engine applying the adapter at load time must give
 * the merged model's logits.
 */
class LoraExportTest {
    static final ThreadPool POOL = new ThreadPool(1);
    static final int[] TOKENS = {1, 450, 7483, 310, 3444, 338};

    @AfterAll
    static void close() {
        POOL.close();
    }

    @Test
    void importedWeightsGiveTheEnginesLogits() {
        Path base = TestData.fixtureModel("tiny-llama-q8_0");
        try (Model m = Model.load(base)) {
            LlamaConfig c = ModelImporter.config(m);
            assertThat(c.tiedOutput()).isFalse();
            LlamaModel t = new LlamaModel(c, 1, TOKENS.length, POOL);
            ModelImporter.load(m, c, t.params);
            t.forward(TOKENS, null, true);
            float[][] engine = engineLogits(m);
            // The engine multiplies Q8_0 weights by Q8_0-quantized activations; the trainer uses the dequantized
            // weights in float, so they differ by the activation rounding (~1e-2 of the range), not by layout.
            assertThat(relativeDiff(engine, t.logits(), c.vocab())).isLessThan(3e-2);
        }
    }

    @Test
    void engineWithAdapterEqualsMergedModel(@TempDir Path dir) {
        Path base = TestData.fixtureModel("tiny-llama-f32");
        Path adapter = dir.resolve("adapter.gguf"), merged = dir.resolve("merged.gguf");
        float[][] trainerLogits = new float[1][];
        try (Model m = Model.load(base)) {
            LlamaConfig c = ModelImporter.config(m);
            LlamaModel t = new LlamaModel(c, 1, TOKENS.length, POOL);
            ModelImporter.load(m, c, t.params);
            Lora lora = t.attachLora(new Lora.Config(4, 8f, EnumSet.allOf(LoraTarget.class)));
            SplitMix64 r = new SplitMix64(11);
            for (int i = 0; i < lora.params.length; i++) lora.params[i] = 0.05f * (float) r.nextGaussian();
            t.forward(TOKENS, null, true);
            trainerLogits[0] = t.logits().clone();
            AdapterExporter.write(adapter, "test-adapter", "llama", lora);
            float[] mergedParams = t.params.clone();
            lora.mergeInto(mergedParams, t.layout());
            ModelExporter.write(merged, "merged", c, mergedParams, ModelImporter.tokenizerOf(m.file()));
        }
        float[][] withAdapter, mergedLogits, baseLogits, zeroScale;
        try (Model m = Model.load(base, List.of(new LoraSpec(adapter, 1f)))) {
            assertThat(m.lora().isEmpty()).isFalse();
            withAdapter = engineLogits(m);
        }
        try (Model m = Model.load(merged)) {
            mergedLogits = engineLogits(m);
        }
        try (Model m = Model.load(base)) {
            baseLogits = engineLogits(m);
        }
        try (Model m = Model.load(base, List.of(LoraSpec.parse(adapter + ":0")))) {
            zeroScale = engineLogits(m);
        }
        int V = withAdapter[0].length;
        double changed = relativeDiff(baseLogits, flatten(withAdapter), V);
        double vsMerged = relativeDiff(mergedLogits, flatten(withAdapter), V);
        double vsTrainer = relativeDiff(withAdapter, trainerLogits[0], V);
        System.out.printf("lora: adapter changes logits by %.2e of the range; |adapter - merged| %.2e; |engine - trainer| %.2e%n", changed, vsMerged, vsTrainer);
        assertThat(changed).as("the adapter matters").isGreaterThan(1e-2);
        // Same F32 weights up to the order of float additions (W x + s B(A x) vs (W + s B A) x): ~1e-7 relative.
        assertThat(vsMerged).as("engine + adapter vs merged model").isLessThan(1e-5);
        assertThat(vsTrainer).as("engine + adapter vs the trainer's adapted forward pass").isLessThan(1e-4);
        assertThat(relativeDiff(baseLogits, flatten(zeroScale), V)).as("scale 0 is the base model").isEqualTo(0);
    }

    @Test
    void aModelIsNotAnAdapter() {
        Path base = TestData.fixtureModel("tiny-llama-f32");
        assertThatThrownBy(() -> Model.load(base, List.of(new LoraSpec(base, 1f))))
                .isInstanceOf(LoupeException.class).hasMessageContaining("is not a LoRA adapter");
        assertThat(LoraSpec.parse("a/b.gguf:0.5")).isEqualTo(new LoraSpec(Path.of("a/b.gguf"), 0.5f));
        assertThat(LoraSpec.parse("c:/x.gguf")).isEqualTo(new LoraSpec(Path.of("c:/x.gguf"), 1f));
    }

    private static float[][] engineLogits(Model m) {
        float[][] out = new float[TOKENS.length][];
        try (Session s = new Session(m, 64, POOL)) {
            for (int i = 0; i < TOKENS.length; i++) out[i] = s.forward(TOKENS[i], true).clone();
        }
        return out;
    }

    private static float[] flatten(float[][] rows) {
        int V = rows[0].length;
        float[] f = new float[rows.length * V];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, f, i * V, V);
        return f;
    }

    /** max |a - b| / max |a| over every position and token. */
    private static double relativeDiff(float[][] a, float[] b, int V) {
        double worst = 0, range = 0;
        for (int t = 0; t < a.length; t++) {
            for (int j = 0; j < V; j++) {
                range = Math.max(range, Math.abs(a[t][j]));
                worst = Math.max(worst, Math.abs(a[t][j] - b[t * V + j]));
            }
        }
        return worst / range;
    }
}
