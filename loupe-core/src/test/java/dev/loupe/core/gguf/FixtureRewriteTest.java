package dev.loupe.core.gguf;

import dev.loupe.core.Fixtures;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Copying a fixture (metadata, then tensors, both in file order) reads back equal, and is byte-identical
 * to the original: the fixtures were written by gguf-py / llama-quantize, whose layout (tensor data padded
 * to 32 after every tensor, no padding when there are no tensors) the writer reproduces.
 */
class FixtureRewriteTest {
    @TempDir
    Path dir;

    static Stream<Path> fixtures() throws IOException {
        Path root = Fixtures.shared().resolve("fixtures");
        try (Stream<Path> models = Files.list(root.resolve("models")); Stream<Path> vocab = Files.list(root.resolve("vocab"))) {
            return Stream.concat(models, vocab).filter(p -> p.toString().endsWith(".gguf")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void rewriteReadsBackEqualAndByteIdentical(Path original) throws IOException {
        Path copy = dir.resolve(original.getFileName());
        try (GgufFile in = GgufFile.open(original)) {
            new GgufWriter().copyMetadata(in).copyTensors(in).write(copy);
            try (GgufFile out = GgufFile.open(copy)) {
                assertThat(out.metadata().asMap()).isEqualTo(in.metadata().asMap());
                assertThat(new ArrayList<>(out.metadata().asMap().keySet())).isEqualTo(new ArrayList<>(in.metadata().asMap().keySet()));
                assertThat(out.tensors()).isEqualTo(in.tensors());
                for (TensorInfo t : in.tensors()) {
                    assertThat(out.tensorData(out.tensor(t.name())).mismatch(in.tensorData(t))).as(t.name()).isEqualTo(-1);
                }
            }
        }
        assertThat(Files.mismatch(original, copy)).as("first differing byte").isEqualTo(-1);
    }
}
