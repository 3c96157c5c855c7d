package dev.loupe.core.quant;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.TensorInfo;
import dev.loupe.core.tensor.GgmlType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TypePlannerTest {
    /** A Llama tensor table (names and shapes only) in the writer's order, as gen-model writes it. */
    static List<TensorInfo> llama(int dim, int layers, int kvDim, int ffn, int vocab, boolean tied) {
        List<TensorInfo> t = new ArrayList<>();
        t.add(info("token_embd.weight", dim, vocab));
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            t.add(info(p + "attn_norm.weight", dim));
            t.add(info(p + "attn_q.weight", dim, dim));
            t.add(info(p + "attn_k.weight", dim, kvDim));
            t.add(info(p + "attn_v.weight", dim, kvDim));
            t.add(info(p + "attn_output.weight", dim, dim));
            t.add(info(p + "ffn_norm.weight", dim));
            t.add(info(p + "ffn_gate.weight", dim, ffn));
            t.add(info(p + "ffn_up.weight", dim, ffn));
            t.add(info(p + "ffn_down.weight", ffn, dim));
        }
        t.add(info("output_norm.weight", dim));
        if (!tied) t.add(info("output.weight", dim, vocab));
        return t;
    }

    static TensorInfo info(String name, long... shape) {
        return new TensorInfo(name, shape, GgmlType.F16, 0);
    }

    static Map<String, GgmlType> plan(List<TensorInfo> t, QuantMix mix, boolean pure) {
        return new TypePlanner(mix, pure, "llama", (int) t.stream().filter(x -> x.name().endsWith("attn_q.weight")).count(), 0)
                .plan(t).stream().collect(Collectors.toMap(p -> p.source().name(), PlannedTensor::target));
    }

    static TreeSet<Integer> layersWith(Map<String, GgmlType> plan, String tensor, GgmlType type) {
        TreeSet<Integer> s = new TreeSet<>();
        plan.forEach((name, t) -> {
            if (name.endsWith(tensor) && t == type) s.add(TypePlanner.layerOf(name));
        });
        return s;
    }

    @Test
    void llama32_1bQ4KMMatchesLlamaQuantize() {
        // What llama-quantize Q4_K_M printed for a Llama-3.2-1B-shaped F16 model (16 layers, tied embeddings):
        // attn_v and ffn_down in Q6_K in layers 0, 1, 4, 7, 10, 13, 14, 15; token_embd Q6_K; norms stay F32.
        Map<String, GgmlType> p = plan(llama(2048, 16, 512, 8192, 128256, true), QuantMix.Q4_K_M, false);
        List<Integer> moreBits = List.of(0, 1, 4, 7, 10, 13, 14, 15);
        assertThat(layersWith(p, "attn_v.weight", GgmlType.Q6_K)).containsExactlyElementsOf(moreBits);
        assertThat(layersWith(p, "ffn_down.weight", GgmlType.Q6_K)).containsExactlyElementsOf(moreBits);
        assertThat(layersWith(p, "attn_v.weight", GgmlType.Q4_K)).hasSize(16 - moreBits.size());
        assertThat(p.get("token_embd.weight")).isEqualTo(GgmlType.Q6_K);
        assertThat(p.get("blk.3.attn_q.weight")).isEqualTo(GgmlType.Q4_K);
        assertThat(p.get("blk.3.attn_norm.weight")).isEqualTo(GgmlType.F16); // 1-D: copied as it is
    }

    @Test
    void untiedEmbeddingKeepsTheDefaultAndOutputGetsQ6K() {
        Map<String, GgmlType> p = plan(llama(256, 2, 128, 512, 1000, false), QuantMix.Q4_0, false);
        assertThat(p.get("token_embd.weight")).isEqualTo(GgmlType.Q4_0);
        assertThat(p.get("output.weight")).isEqualTo(GgmlType.Q6_K);
        Map<String, GgmlType> q8 = plan(llama(256, 2, 128, 512, 1000, false), QuantMix.Q8_0, false);
        assertThat(q8.get("output.weight")).isEqualTo(GgmlType.Q8_0);
    }

    @Test
    void pureIgnoresEveryMixtureRule() {
        Map<String, GgmlType> p = plan(llama(2048, 16, 512, 8192, 1000, false), QuantMix.Q4_K_M, true);
        assertThat(p.entrySet().stream().filter(e -> !e.getKey().contains("norm")).map(Map.Entry::getValue).distinct())
                .containsExactly(GgmlType.Q4_K);
    }

    @Test
    void rowsThatAreNotMultiplesOf256FallBackAsInLlamaCpp() {
        // SmolLM2-360M: dim 960 is not a multiple of 256, ffn 2560 is.
        Map<String, GgmlType> p = plan(llama(960, 32, 320, 2560, 1000, true), QuantMix.Q4_K_M, false);
        assertThat(p.get("blk.5.attn_q.weight")).isEqualTo(GgmlType.Q5_0);   // Q4_K -> Q5_0
        assertThat(p.get("blk.0.attn_v.weight")).isEqualTo(GgmlType.Q8_0);   // Q6_K -> Q8_0
        assertThat(p.get("blk.0.ffn_down.weight")).isEqualTo(GgmlType.Q6_K); // rows of 2560 need no fallback
        assertThat(p.get("token_embd.weight")).isEqualTo(GgmlType.Q8_0);     // the output rule picks Q8_0 itself
        Map<String, GgmlType> q5 = plan(llama(960, 32, 320, 2560, 1000, true), QuantMix.Q5_K_S, false);
        assertThat(q5.get("blk.5.attn_q.weight")).isEqualTo(GgmlType.Q5_1);  // Q5_K -> Q5_1
        Map<String, GgmlType> odd = plan(List.of(info("blk.0.attn_q.weight", 48, 48)), QuantMix.Q4_K_M, false);
        assertThat(odd.get("blk.0.attn_q.weight")).isEqualTo(GgmlType.F16);  // not even a multiple of 32
    }

    @Test
    void tensorsAreVisitedByLayerThenName() {
        List<TensorInfo> t = llama(256, 12, 128, 512, 1000, false);
        List<String> order = new TypePlanner(QuantMix.Q8_0, false, "llama", 12, 0).plan(t).stream()
                .map(p -> p.source().name()).toList();
        assertThat(order.subList(0, 3)).containsExactly("output.weight", "output_norm.weight", "token_embd.weight");
        assertThat(order.get(3)).isEqualTo("blk.0.attn_k.weight");
        assertThat(order.indexOf("blk.2.ffn_up.weight")).isLessThan(order.indexOf("blk.10.attn_k.weight"));
    }

    @Test
    void mixNames() {
        assertThat(QuantMix.parse("q4_k")).isEqualTo(QuantMix.Q4_K_M);
        assertThat(QuantMix.parse("Q5_K")).isEqualTo(QuantMix.Q5_K_M);
        assertThat(QuantMix.parse("q6_k")).isEqualTo(QuantMix.Q6_K);
        assertThatThrownBy(() -> QuantMix.parse("Q3_K_XL")).isInstanceOf(LoupeException.class)
                .hasMessageContaining("unknown quantization type").hasMessageNotContaining("\n");
    }
}
