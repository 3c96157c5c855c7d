package dev.loupe.core.quant;

import dev.loupe.core.tensor.Codecs;
import dev.loupe.core.tensor.GgmlType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/** K-quant blocks must be byte for byte what llama-quantize wrote for the same rows (see reference/quant/README.md). */
class KQuantKnownAnswerTest {
    static final int COLS = 2048;

    @ParameterizedTest
    @CsvSource({"attn_q-rows.f16, attn_q-rows.q4_k, Q4_K", "attn_q-rows.f16, attn_q-rows.q5_k, Q5_K",
            "attn_v-rows.f16, attn_v-rows.q6_k, Q6_K"})
    void sameBlocksAsLlamaQuantize(String source, String expected, GgmlType type) throws IOException {
        byte[] f16 = resource(source);
        int rows = f16.length / 2 / COLS;
        float[] x = new float[rows * COLS];
        Codecs.of(GgmlType.F16, source).dequantize(MemorySegment.ofArray(f16), 0, x, 0, x.length);
        RowQuantizer q = Quantizers.create(type);
        int rowBytes = (int) type.rowBytes(COLS);
        byte[] got = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++) q.quantize(x, r * COLS, COLS, got, r * rowBytes);
        byte[] want = resource(expected);
        assertThat(want).hasSize(got.length);
        for (int b = 0; b < got.length; b += type.typeSize) {
            int block = b;
            assertThat(java.util.Arrays.copyOfRange(got, b, b + type.typeSize))
                    .as(() -> type + " block " + block / type.typeSize)
                    .isEqualTo(java.util.Arrays.copyOfRange(want, b, b + type.typeSize));
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = KQuantKnownAnswerTest.class.getResourceAsStream("/reference/quant/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
