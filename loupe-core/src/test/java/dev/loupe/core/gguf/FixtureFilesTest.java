package dev.loupe.core.gguf;

import dev.loupe.core.Fixtures;
import dev.loupe.core.tensor.GgmlType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every shared fixture opens, and what the fixtures README says about it is what the file says. */
class FixtureFilesTest {

    /** One model row of the fixtures README; {@code extraPerLayer} counts q/k/v biases (qwen2) or q/k norms (qwen3). */
    record Model(String file, String arch, int dim, int layers, int heads, int kvHeads, int ffn, boolean tied,
                 int extraPerLayer, Set<GgmlType> matrixTypes) {
        int tensorCount() {
            // token_embd + output_norm + 9 per layer (2 norms, q, k, v, o, gate, up, down) + output unless tied.
            return 2 + layers * (9 + extraPerLayer) + (tied ? 0 : 1);
        }

        @Override
        public String toString() {
            return file;
        }
    }

    static Stream<Model> models() {
        Set<GgmlType> kQuants = Set.of(GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);
        return Stream.of(
                new Model("tiny-llama-f32.gguf", "llama", 64, 2, 4, 2, 192, false, 0, Set.of(GgmlType.F32)),
                new Model("tiny-llama-f16.gguf", "llama", 64, 2, 4, 2, 192, false, 0, Set.of(GgmlType.F16)),
                new Model("tiny-llama-q8_0.gguf", "llama", 64, 2, 4, 2, 192, false, 0, Set.of(GgmlType.Q8_0)),
                new Model("tiny-llama-q4_0.gguf", "llama", 64, 2, 4, 2, 192, false, 0, Set.of(GgmlType.Q4_0)),
                new Model("tiny-qwen2-f16.gguf", "qwen2", 64, 2, 4, 2, 192, true, 3, Set.of(GgmlType.F16)),
                new Model("tiny-qwen3-f16.gguf", "qwen3", 64, 2, 4, 1, 192, false, 2, Set.of(GgmlType.F16)),
                new Model("small-llama-q4_k_m.gguf", "llama", 256, 2, 4, 2, 512, true, 0, kQuants),
                new Model("small-llama-q5_k_m.gguf", "llama", 256, 2, 4, 2, 512, true, 0, kQuants),
                new Model("small-llama-q6_k.gguf", "llama", 256, 2, 4, 2, 512, true, 0, kQuants));
    }

    @ParameterizedTest
    @MethodSource("models")
    void modelMatchesTheReadme(Model m) {
        try (GgufFile g = GgufFile.open(Fixtures.model(m.file()))) {
            Metadata md = g.metadata();
            String a = m.arch();
            assertThat(g.version()).isEqualTo(3);
            assertThat(md.getString("general.architecture")).isEqualTo(a);
            assertThat(md.getInt(a + ".block_count")).isEqualTo(m.layers());
            assertThat(md.getInt(a + ".embedding_length")).isEqualTo(m.dim());
            assertThat(md.getInt(a + ".feed_forward_length")).isEqualTo(m.ffn());
            assertThat(md.getInt(a + ".attention.head_count")).isEqualTo(m.heads());
            assertThat(md.getInt(a + ".attention.head_count_kv")).isEqualTo(m.kvHeads());

            int vocab = md.getStringArray("tokenizer.ggml.tokens").length;
            int kvDim = m.dim() / m.heads() * m.kvHeads();
            assertThat(g.tensors()).hasSize(m.tensorCount());
            assertThat(g.hasTensor("output.weight")).isEqualTo(!m.tied());
            assertShape(g, "token_embd.weight", m.dim(), vocab);
            assertShape(g, "output_norm.weight", m.dim());
            for (int l = 0; l < m.layers(); l++) {
                String b = "blk." + l + ".";
                assertShape(g, b + "attn_norm.weight", m.dim());
                assertShape(g, b + "ffn_norm.weight", m.dim());
                assertShape(g, b + "attn_q.weight", m.dim(), m.dim());
                assertShape(g, b + "attn_k.weight", m.dim(), kvDim);
                assertShape(g, b + "attn_v.weight", m.dim(), kvDim);
                assertShape(g, b + "attn_output.weight", m.dim(), m.dim());
                assertShape(g, b + "ffn_gate.weight", m.dim(), m.ffn());
                assertShape(g, b + "ffn_up.weight", m.dim(), m.ffn());
                assertShape(g, b + "ffn_down.weight", m.ffn(), m.dim());
                assertThat(g.tensor(b + "attn_norm.weight").type()).isEqualTo(GgmlType.F32);
                assertThat(m.matrixTypes()).contains(g.tensor(b + "attn_q.weight").type(), g.tensor(b + "ffn_down.weight").type());
            }
            for (TensorInfo t : g.tensors()) {
                // The slice must lie inside the mapping; asSlice would throw otherwise.
                assertThat(g.tensorData(t).byteSize()).isEqualTo(t.byteSize());
                assertThat(t.offset() % g.alignment()).isZero();
            }
        }
    }

    static Stream<Arguments> vocabs() {
        return Stream.of(
                Arguments.of("ggml-vocab-llama-spm.gguf", "llama", 32000),
                Arguments.of("ggml-vocab-phi-3.gguf", "llama", 32064),
                Arguments.of("ggml-vocab-llama-bpe.gguf", "gpt2", 128256),
                Arguments.of("ggml-vocab-qwen2.gguf", "gpt2", 151936),
                Arguments.of("ggml-vocab-gpt-2.gguf", "gpt2", 50257));
    }

    @ParameterizedTest
    @MethodSource("vocabs")
    void vocabOpensWithItsTokenizer(String file, String tokenizerModel, int tokens) {
        try (GgufFile g = GgufFile.open(Fixtures.vocab(file))) {
            assertThat(g.tensors()).isEmpty();
            assertThat(g.metadata().getString("tokenizer.ggml.model")).isEqualTo(tokenizerModel);
            assertThat(g.metadata().getStringArray("tokenizer.ggml.tokens")).hasSize(tokens);
            assertThat(g.metadata().getIntArray("tokenizer.ggml.token_type")).hasSize(tokens);
            if (tokenizerModel.equals("gpt2")) assertThat(g.metadata().getStringArray("tokenizer.ggml.merges")).isNotEmpty();
            else assertThat(g.metadata().getFloatArray("tokenizer.ggml.scores")).hasSize(tokens);
        }
    }

    private static void assertShape(GgufFile g, String name, long... shape) {
        assertThat(g.tensor(name).shape()).as(name).containsExactly(shape);
    }
}
