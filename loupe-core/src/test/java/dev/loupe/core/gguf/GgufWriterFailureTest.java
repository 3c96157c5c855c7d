package dev.loupe.core.gguf;

import dev.loupe.core.tensor.GgmlType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A failed write leaves the old file as it was and no temporary file; mistakes fail where they are made. */
class GgufWriterFailureTest {
    @TempDir
    Path dir;
    Path target;
    byte[] old;

    @BeforeEach
    void oldFile() throws IOException {
        target = dir.resolve("model.gguf");
        old = "the previous model".getBytes();
        Files.write(target, old);
    }

    private GgufWriter writerWhoseSecondTensorFails(TensorSource failing) {
        return new GgufWriter().putString("general.architecture", "llama")
                .addTensor("ok", GgmlType.F32, new long[]{8}, new byte[32])
                .addTensor("bad", GgmlType.F32, new long[]{8}, failing);
    }

    private void assertOldFileUntouchedAndNoTemp() throws IOException {
        assertThat(Files.readAllBytes(target)).isEqualTo(old);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void ioErrorMidWriteIsOneLineGgufExceptionAndKeepsOldFile() throws IOException {
        GgufWriter w = writerWhoseSecondTensorFails(out -> {
            out.write(new byte[16]);
            throw new IOException("No space left on device");
        });
        assertThatThrownBy(() -> w.write(target))
                .isInstanceOf(GgufException.class)
                .hasMessage("cannot write " + target + ": No space left on device");
        assertOldFileUntouchedAndNoTemp();
    }

    @Test
    void bugInSourceIsRethrownAndKeepsOldFile() throws IOException {
        GgufWriter w = writerWhoseSecondTensorFails(out -> { throw new ArithmeticException("boom"); });
        assertThatThrownBy(() -> w.write(target)).isInstanceOf(ArithmeticException.class);
        assertOldFileUntouchedAndNoTemp();
    }

    @Test
    void sourceWritingTooLittleOrTooMuchIsRefused() throws IOException {
        assertThatThrownBy(() -> writerWhoseSecondTensorFails(out -> out.write(new byte[31])).write(target))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("wrote 31 bytes, expected 32");
        assertThatThrownBy(() -> writerWhoseSecondTensorFails(out -> out.write(new byte[33])).write(target))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("more than its 32 bytes");
        assertOldFileUntouchedAndNoTemp();
    }

    @Test
    void successfulWriteReplacesOldFile() throws IOException {
        new GgufWriter().putString("general.architecture", "llama").write(target);
        try (GgufFile g = GgufFile.open(target)) {
            assertThat(g.metadata().getString("general.architecture")).isEqualTo("llama");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void missingDirectoryOrDirectoryTargetIsGgufException() {
        GgufWriter w = new GgufWriter().putString("k", "v");
        assertThatThrownBy(() -> w.write(dir.resolve("nope/model.gguf")))
                .isInstanceOf(GgufException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> w.write(dir))
                .isInstanceOf(GgufException.class).hasMessageContaining("is a directory");
    }

    @Test
    void wrongValuesAreRefusedWhenAdded() {
        GgufWriter w = new GgufWriter();
        assertThatThrownBy(() -> w.put("k", MetadataValue.of(ValueType.UINT8, 256))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.put("k", MetadataValue.of(ValueType.FLOAT32, 1.0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.put("k", MetadataValue.of(ValueType.ARRAY, new int[0]))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.putArray("k", ValueType.INT32, new long[1])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.putArray("k", ValueType.ARRAY, new Object[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.putArray("k", ValueType.STRING, new String[]{null})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.putUInt32("k", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.putUInt32("general.alignment", 48)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.putInt32("general.alignment", 32)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wrongTensorsAreRefusedWhenAdded() {
        GgufWriter w = new GgufWriter().addTensor("t", GgmlType.F32, new long[]{1}, new byte[4]);
        assertThatThrownBy(() -> w.addTensor("t", GgmlType.F32, new long[]{1}, new byte[4]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> w.addTensor("u", GgmlType.F32, new long[]{2}, new byte[4]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 8 bytes");
        assertThatThrownBy(() -> w.addTensor("u", GgmlType.Q4_0, new long[]{16}, new byte[9]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block size");
        assertThatThrownBy(() -> w.addTensor("u", GgmlType.F32, new long[]{1, 1, 1, 1, 1}, new byte[4]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimensions");
        assertThatThrownBy(() -> w.addTensor("u", GgmlType.F32, new long[]{0}, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-positive");
        assertThatThrownBy(() -> w.addTensor("x".repeat(64), GgmlType.F32, new long[]{1}, new byte[4]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer than 63");
        assertThatThrownBy(() -> w.addTensor("u", GgmlType.F32, new long[]{1L << 40, 1L << 40}, out -> {}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too large");
    }
}
