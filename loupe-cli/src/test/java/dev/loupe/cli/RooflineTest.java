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
        assertReadsTheWholeDataRegionBut("tiny-qwen2-f16.gguf", false, 0);
    }

    @Test
    void separateOutputLayerMeansOneEmbeddingRowPerToken() throws Exception {
        long embedding = 64L * 32000 * 4, row = 64L * 4; // token_embd.weight: F32 [64, 32000]
        assertReadsTheWholeDataRegionBut("tiny-llama-f32.gguf", true, embedding - row);
    }

    /** bytesPerToken + {@code unread} is the file's tensor data region, give or take one alignment per tensor. */
    private static void assertReadsTheWholeDataRegionBut(String model, boolean separateOutput, long unread) throws Exception {
        Path p = QuantizeBenchCliTest.model(model);
        try (GgufFile f = GgufFile.open(p)) {
            assertThat(f.tensors().stream().anyMatch(t -> t.name().equals("output.weight"))).isEqualTo(separateOutput);
            long data = Files.size(p) - f.dataOffset();
            assertThat(Roofline.bytesPerToken(f) + unread).isBetween(data - (long) ALIGNMENT * f.tensors().size(), data);
        }
    }

    @Test
    void boundAndFraction() {
        Roofline r = new Roofline(10e9, 500_000_000L);
        assertThat(r.maxTokensPerSecond()).isCloseTo(20.0, within(1e-12));
        assertThat(r.fraction(5.0)).isCloseTo(0.25, within(1e-12));
    }
}
