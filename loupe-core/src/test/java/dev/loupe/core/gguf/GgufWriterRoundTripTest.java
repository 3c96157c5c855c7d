package dev.loupe.core.gguf;

import dev.loupe.core.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Random;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the writer writes, the reader reads back unchanged. */
class GgufWriterRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyValueTypeRoundTrips() {
        GgufWriter w = SampleGguf.allValueTypes();
        Path f = dir.resolve("m.gguf");
        w.write(f);
        try (GgufFile g = GgufFile.open(f)) {
            assertThat(g.version()).isEqualTo(3);
            assertThat(g.tensors()).isEmpty();
            assertThat(g.metadata().asMap()).isEqualTo(w.metadata());
            assertThat(new ArrayList<>(g.metadata().asMap().keySet())).containsExactlyElementsOf(w.metadata().keySet());
            assertThat(g.metadata().getString("t.unicode")).isEqualTo("héllo ▁wörld 日本語 🦙 \u0000 nul");
            assertThat(g.metadata().getStringArray("a.str")).containsExactly("<s>", "", "▁the", "🦙");
            assertThat(g.metadata().get("e.str").orElseThrow().arrayLength()).isZero();
            assertThat(g.metadata().getLong("t.u32")).isEqualTo(0xFFFF_FFFFL);
            assertThat(g.metadata().getLong("t.i32")).isEqualTo(Integer.MIN_VALUE);
            assertThatThrownBy(() -> g.metadata().getInt("t.u32")).isInstanceOf(GgufException.class).hasMessageContaining("out of range");
        }
    }

    /** Equality of floats hides NaN payloads; reading then re-writing must give the very same bytes. */
    @Test
    void rewritingWhatWasReadIsByteIdentical() throws Exception {
        Path f = dir.resolve("m.gguf");
        SampleGguf.small(1).write(f);
        Path g = dir.resolve("again.gguf");
        try (GgufFile in = GgufFile.open(f)) {
            new GgufWriter().copyMetadata(in).copyTensors(in).write(g);
        }
        assertThat(Files.readAllBytes(g)).isEqualTo(Files.readAllBytes(f));
    }

    @ParameterizedTest
    @EnumSource(GgmlType.class)
    void tensorOfEveryGgmlTypeRoundTrips(GgmlType type) {
        Random r = new Random(type.id);
        long[] shape = {2L * type.blockSize, 3};
        byte[] data = SampleGguf.randomBytes(r, type.rowBytes(shape[0]) * shape[1]);
        // A one-byte tensor first makes the typed tensor's offset depend on padding.
        byte[] first = {42};
        Path f = dir.resolve(type + ".gguf");
        new GgufWriter().putString("general.architecture", "test")
                .addTensor("first", GgmlType.I8, new long[]{1}, first)
                .addTensor("t", type, shape, data)
                .write(f);
        try (GgufFile g = GgufFile.open(f)) {
            TensorInfo t = g.tensor("t");
            assertThat(t.type()).isEqualTo(type);
            assertThat(t.shape()).containsExactly(shape);
            assertThat(t.offset()).isEqualTo(32);
            assertThat(g.dataOffset() % 32).isZero();
            assertThat(g.tensorData(t).toArray(JAVA_BYTE)).isEqualTo(data);
            assertThat(g.tensorData(g.tensor("first")).toArray(JAVA_BYTE)).isEqualTo(first);
            // Every tensor, the last one included, is padded to the alignment, as llama.cpp writes it.
            assertThat(g.fileSize()).isEqualTo(g.dataOffset() + 32 + (data.length + 31) / 32 * 32);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 8, 64, 4096})
    void alignmentComesFromMetadata(int alignment) {
        Path f = dir.resolve("a.gguf");
        new GgufWriter().putUInt32("general.alignment", alignment)
                .addTensor("x", GgmlType.F32, new long[]{3}, new byte[12])
                .addTensor("y", GgmlType.F32, new long[]{5}, new byte[20])
                .write(f);
        try (GgufFile g = GgufFile.open(f)) {
            assertThat(g.alignment()).isEqualTo(alignment);
            assertThat(g.dataOffset() % alignment).isZero();
            assertThat(g.tensor("y").offset()).isEqualTo((12 + alignment - 1) / alignment * alignment);
        }
    }

    @Test
    void streamingSourceAndSegmentGiveTheSameFileAsBytes() throws Exception {
        Random r = new Random(7);
        long[] shape = {256, 40};
        byte[] data = SampleGguf.randomBytes(r, GgmlType.Q4_K.rowBytes(256) * 40);
        Path fromBytes = dir.resolve("bytes.gguf");
        Path fromStream = dir.resolve("stream.gguf");
        Path fromSegment = dir.resolve("segment.gguf");
        new GgufWriter().addTensor("w", GgmlType.Q4_K, shape, data).write(fromBytes);
        new GgufWriter().addTensor("w", GgmlType.Q4_K, shape, out -> {
            // Row by row, as a quantizer would produce it; part through write(int), part through a segment.
            int row = (int) GgmlType.Q4_K.rowBytes(256);
            out.write(data[0]);
            out.write(data, 1, row - 1);
            for (int i = 1; i < 40; i++) out.write(MemorySegment.ofArray(data).asSlice((long) i * row, row));
            assertThat(out.remaining()).isZero();
        }).write(fromStream);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(data.length);
            seg.copyFrom(MemorySegment.ofArray(data));
            new GgufWriter().addTensor("w", GgmlType.Q4_K, shape, seg).write(fromSegment);
        }
        byte[] expected = Files.readAllBytes(fromBytes);
        assertThat(Files.readAllBytes(fromStream)).isEqualTo(expected);
        assertThat(Files.readAllBytes(fromSegment)).isEqualTo(expected);
    }

    /** Segments bigger than the 1 MiB buffer go to the channel directly; the bytes must still land in order. */
    @Test
    void largeSegmentIsWrittenIntact() throws Exception {
        byte[] data = SampleGguf.randomBytes(new Random(3), 3 << 20);
        Path f = dir.resolve("big.gguf");
        new GgufWriter().putString("k", "v")
                .addTensor("small", GgmlType.F32, new long[]{1}, new byte[4])
                .addTensor("big", GgmlType.F32, new long[]{data.length / 4}, MemorySegment.ofArray(data))
                .write(f);
        try (GgufFile g = GgufFile.open(f)) {
            assertThat(g.tensorData(g.tensor("big")).toArray(JAVA_BYTE)).isEqualTo(data);
        }
    }
}
