package dev.loupe.cli;

import dev.loupe.core.gguf.GgufFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The bytes a decoding step reads, checked against the file itself: the tensor data region (file size minus the data
 * offset) holds every tensor plus at most an alignment's padding per tensor.
 */
class RooflineTest {
    private static final int ALIGNMENT = 32;

    @Test
    void tiedEmbeddingIsReadWholeAsTheOutputLayer() throws Exception {
        Path p = QuantizeBenchCliTest.model("tiny-qwen2-f16.gguf");
        try (GgufFile f = GgufFile.open(p)) {
            assertThat(f.tensors()).noneMatch(t -> t.name().equals("output.weight"));
            long data = Files.size(p) - f.dataOffset();
            assertThat(Roofline.bytesPerToken(f)).isBetween(data - (long) ALIGNMENT * f.tensors().size(), data);
        }
    }

    @Test
    void separateOutputLayerMeansOneEmbeddingRowPerToken() throws Exception {
        Path p = QuantizeBenchCliTest.model("tiny-llama-f32.gguf");
        try (GgufFile f = GgufFile.open(p)) {
            assertThat(f.tensors()).anyMatch(t -> t.name().equals("output.weight"));
            long data = Files.size(p) - f.dataOffset();
            long embedding = 64L * 32000 * 4, row = 64L * 4; // token_embd.weight: F32 [64, 32000]
            long read = Roofline.bytesPerToken(f) + embedding - row;
            assertThat(read).isBetween(data - (long) ALIGNMENT * f.tensors().size(), data);
        }
    }

    @Test
    void boundAndFraction() {
        Roofline r = new Roofline(10e9, 500_000_000L);
        assertThat(r.maxTokensPerSecond()).isCloseTo(20.0, within(1e-12));
        assertThat(r.fraction(5.0)).isCloseTo(0.25, within(1e-12));
    }
}
