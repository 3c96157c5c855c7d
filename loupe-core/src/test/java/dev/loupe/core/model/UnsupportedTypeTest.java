package dev.loupe.core.model;

import dev.loupe.core.Fixtures;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.GgufWriter;
import dev.loupe.core.gguf.TensorInfo;
import dev.loupe.core.tensor.GgmlType;
import dev.loupe.core.tensor.UnsupportedTypeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A model with a tensor of a type Loupe cannot compute with fails at load, naming the tensor and the type. */
class UnsupportedTypeTest {
    @Test
    void loadNamesTensorAndType(@TempDir Path dir) {
        Path out = dir.resolve("iq4nl.gguf");
        try (GgufFile src = GgufFile.open(Fixtures.model("tiny-llama-f32.gguf"))) {
            GgufWriter w = new GgufWriter().copyMetadata(src);
            for (TensorInfo t : src.tensors()) {
                if (t.name().equals("blk.1.attn_q.weight")) {
                    long[] shape = t.shape();
                    w.addTensor(t.name(), GgmlType.IQ4_NL, shape, new byte[(int) GgmlType.IQ4_NL.rowBytes(shape[0]) * (int) shape[1]]);
                } else {
                    w.addTensor(t.name(), t.type(), t.shape(), src.tensorData(t));
                }
            }
            w.write(out);
        }
        assertThatThrownBy(() -> Model.load(out).close())
                .isInstanceOf(UnsupportedTypeException.class)
                .hasMessageContaining("blk.1.attn_q.weight")
                .hasMessageContaining("IQ4_NL");
    }
}
