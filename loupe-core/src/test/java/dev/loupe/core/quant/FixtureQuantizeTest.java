package dev.loupe.core.quant;

import dev.loupe.core.Fixtures;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.TensorInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared tiny-llama Q8_0 and Q4_0 files were made by {@code llama-quantize --pure} from tiny-llama-f32;
 * quantizing the same F32 file must reproduce them: every tensor byte for byte, and then the whole file
 * (metadata order, tensor order, padding).
 */
class FixtureQuantizeTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"Q8_0, tiny-llama-q8_0.gguf", "Q4_0, tiny-llama-q4_0.gguf"})
    void reproducesLlamaQuantizePure(String type, String reference) throws Exception {
        Path out = tmp.resolve("out.gguf");
        ModelQuantizer.quantize(Fixtures.model("tiny-llama-f32.gguf"), out,
                new ModelQuantizer.Options(QuantMix.parse(type), true, false, 2), n -> {});
        try (GgufFile mine = GgufFile.open(out); GgufFile ref = GgufFile.open(Fixtures.model(reference))) {
            List<String> names = mine.tensors().stream().map(TensorInfo::name).toList();
            assertThat(names).isEqualTo(ref.tensors().stream().map(TensorInfo::name).toList());
            for (TensorInfo r : ref.tensors()) {
                TensorInfo m = mine.tensor(r.name());
                assertThat(m.type()).as(r.name()).isEqualTo(r.type());
                assertThat(mine.tensorData(m).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                        .as("bytes of %s", r.name())
                        .isEqualTo(ref.tensorData(r).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
            assertThat(mine.metadata().asMap().keySet()).containsExactlyElementsOf(ref.metadata().asMap().keySet());
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(Fixtures.model(reference)));
    }
}
