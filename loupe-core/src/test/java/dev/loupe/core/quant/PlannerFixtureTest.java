package dev.loupe.core.quant;

import dev.loupe.core.Fixtures;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.TensorInfo;
import dev.loupe.core.tensor.GgmlType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared quantized fixtures were made by llama-quantize; planning the same mixture over their tensor
 * table must give each tensor the type llama-quantize gave it, in llama-quantize's order. (The planner looks at
 * names and shapes only, so running it on the quantized file itself is fair: the sources' types do not enter.)
 */
class PlannerFixtureTest {
    @ParameterizedTest
    @CsvSource({"small-llama-q4_k_m.gguf, Q4_K_M, false", "small-llama-q5_k_m.gguf, Q5_K_M, false",
            "small-llama-q6_k.gguf, Q6_K, false", "tiny-llama-q8_0.gguf, Q8_0, true", "tiny-llama-q4_0.gguf, Q4_0, true"})
    void sameTypesAndOrderAsLlamaQuantize(String file, String mix, boolean pure) {
        try (GgufFile f = GgufFile.open(Fixtures.model(file))) {
            List<PlannedTensor> plan = TypePlanner.plan(f, QuantMix.parse(mix), pure);
            Map<String, GgmlType> planned = new LinkedHashMap<>();
            for (PlannedTensor p : plan) planned.put(p.source().name(), p.target());
            Map<String, GgmlType> actual = new LinkedHashMap<>();
            for (TensorInfo t : f.tensors()) actual.put(t.name(), t.type());
            assertThat(planned).containsExactlyEntriesOf(actual);
            // The mixtures must actually mix, or this test would not distinguish them from --pure.
            if (mix.endsWith("_M")) assertThat(actual.values().stream().filter(GgmlType::isQuantized).distinct().count()).isGreaterThan(1);
        }
    }
}
