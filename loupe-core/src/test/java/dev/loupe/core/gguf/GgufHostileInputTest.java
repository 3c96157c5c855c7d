package dev.loupe.core.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.loupe.core.gguf.ParseProbe.rejects;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Corrupt and hostile GGUF files: each is refused with a one-line GgufException that says what is wrong,
 * never an OutOfMemoryError, a hang, or another exception (see {@link ParseProbe} for the checks).
 */
@Timeout(10)
class GgufHostileInputTest {
    @TempDir
    Path dir;

    private static final long HUGE = 1L << 62;

    @Test
    void wrongMagic() {
        assertThat(rejects("GGML\3\0\0\0".getBytes())).contains("bad magic");
        assertThat(rejects(new byte[]{'G', 'G', 'U'})).contains("truncated");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, 0x03000000, -1})
    void unsupportedVersion(int version) {
        byte[] f = new RawGguf().u32(GgufReader.MAGIC).u32(version).u64(0).u64(0).bytes();
        assertThat(rejects(f)).contains("unsupported GGUF version " + Integer.toUnsignedString(version));
    }

    /** Every proper prefix of a file must be refused; the sample's last tensor ends the file exactly. */
    @Test
    void truncatedAtEveryOffset() {
        byte[] whole = SampleGguf.bytes(SampleGguf.small(1));
        assertThat(ParseProbe.parse(whole).header().tensors()).hasSize(3);
        for (int len = 0; len < whole.length; len++) {
            assertThat(rejects(Arrays.copyOf(whole, len))).as("truncated to %d of %d bytes", len, whole.length)
                    .containsAnyOf("truncated", "bad magic");
        }
    }

    /** The same through GgufFile.open on real files (mapped, not a heap array), at a spread of cut points. */
    @Test
    void truncatedFilesOnDisk() throws IOException {
        byte[] whole = SampleGguf.bytes(SampleGguf.small(2));
        Path f = dir.resolve("cut.gguf");
        for (int len = 0; len < whole.length; len += 37) {
            Files.write(f, Arrays.copyOf(whole, len));
            assertThatThrownBy(() -> GgufFile.open(f).close()).as("cut at %d", len)
                    .isInstanceOf(GgufException.class).hasMessageStartingWith("cut.gguf: ");
        }
        Files.write(f, whole);
        GgufFile.open(f).close();
    }

    @ParameterizedTest
    @EnumSource(value = ValueType.class, names = "ARRAY", mode = EnumSource.Mode.EXCLUDE)
    void absurdArrayLength(ValueType element) {
        for (long n : new long[]{HUGE, -1L, Long.MAX_VALUE, Integer.MAX_VALUE, 1L << 31, 1000}) {
            byte[] f = RawGguf.header(0, 1).str("k").u32(ValueType.ARRAY.id).u32(element.id).u64(n).zeros(16).bytes();
            assertThat(rejects(f)).contains("array length of 'k'").contains("larger than the file can hold");
        }
    }

    @Test
    void absurdStringLengths() {
        for (long n : new long[]{HUGE, -1L, Long.MIN_VALUE, 1L << 32, GgufReader.MAX_STRING + 1L}) {
            assertThat(rejects(RawGguf.header(0, 1).u64(n).zeros(64).bytes())).contains("metadata key").contains("absurd");
            byte[] value = RawGguf.header(0, 1).str("k").u32(ValueType.STRING.id).u64(n).zeros(64).bytes();
            assertThat(rejects(value)).contains("of k").contains("absurd");
            byte[] element = RawGguf.header(0, 1).str("k").u32(ValueType.ARRAY.id).u32(ValueType.STRING.id).u64(1).u64(n).bytes();
            assertThat(rejects(element)).contains("k[0]").contains("absurd");
            byte[] tensorName = RawGguf.header(1, 0).u64(n).zeros(64).bytes();
            assertThat(rejects(tensorName)).contains("tensor name").contains("absurd");
        }
        // Plausible but longer than the file.
        assertThat(rejects(RawGguf.header(0, 1).u64(100).zeros(20).bytes())).contains("truncated");
        // The element that runs past the end is named, though names are only built on failure.
        byte[] third = RawGguf.header(0, 1).str("k").u32(ValueType.ARRAY.id).u32(ValueType.STRING.id).u64(3)
                .str("a").str("b").u64(100).zeros(20).bytes();
        assertThat(rejects(third)).contains("k[2]").contains("truncated");
    }

    @Test
    void absurdCounts() {
        for (long n : new long[]{HUGE, -1L, 1L << 31, 1000}) {
            assertThat(rejects(RawGguf.header(0, n).zeros(64).bytes())).contains("metadata count");
            assertThat(rejects(RawGguf.header(n, 0).zeros(64).bytes())).contains("tensor count");
        }
    }

    @Test
    void absurdDimensionCounts() {
        for (int dims : new int[]{0, 5, 64, -1}) {
            byte[] f = RawGguf.header(1, 0).str("t").u32(dims).u64(1).u64(1).u64(1).u64(1).u64(1).u32(0).u64(0).zeros(64).bytes();
            assertThat(rejects(f)).contains("tensor 't' has " + Integer.toUnsignedString(dims) + " dimensions");
        }
    }

    @Test
    void absurdShapes() {
        long[][] shapes = {
                {HUGE}, {-1L}, {0}, {4, 0}, {1L << 32, 1L << 32}, {1L << 31, 1L << 31, 1L << 31, 1L << 31},
                {Long.MAX_VALUE, 2}, {3, Long.MIN_VALUE}, {1L << 21, 1L << 21, 1L << 21, 1L << 21},
        };
        for (long[] shape : shapes) {
            byte[] f = RawGguf.header(1, 0).tensor("t", 0, 0, shape).align(32).zeros(64).bytes();
            assertThat(rejects(f)).as(Arrays.toString(shape)).containsAnyOf("absurd shape", "non-positive dimension");
        }
        // Plausible shape, but far more data than the file has.
        byte[] f = RawGguf.header(1, 0).tensor("t", 0, 0, 16, 16).align(32).zeros(64).bytes();
        assertThat(rejects(f)).contains("runs past the end");
    }

    @Test
    void rowLengthNotAMultipleOfTheBlockSize() {
        byte[] f = RawGguf.header(1, 0).tensor("t", 2, 0, 31, 1).align(32).zeros(64).bytes();
        assertThat(rejects(f)).contains("not a multiple of the Q4_0 block size 32");
    }

    @Test
    void offsetsPastTheEnd() {
        for (long offset : new long[]{64, 1L << 40, Long.MAX_VALUE & ~31L, -32L, Long.MIN_VALUE}) {
            byte[] f = RawGguf.header(1, 0).tensor("t", 0, offset, 8).align(32).zeros(64).bytes();
            assertThat(rejects(f)).as("offset %d", offset).contains("runs past the end");
        }
        // One byte short of the last tensor's data.
        byte[] f = RawGguf.header(1, 0).tensor("t", 0, 0, 8).align(32).zeros(31).bytes();
        assertThat(rejects(f)).contains("runs past the end");
    }

    @Test
    void misalignedOffset() {
        byte[] f = RawGguf.header(1, 0).tensor("t", 0, 4, 8).align(32).zeros(64).bytes();
        assertThat(rejects(f)).contains("offset 4 is not aligned to 32");
        byte[] custom = RawGguf.header(1, 1).kvU32("general.alignment", 64).tensor("t", 0, 32, 8).align(64).zeros(128).bytes();
        assertThat(rejects(custom)).contains("offset 32 is not aligned to 64");
    }

    @Test
    void badAlignment() {
        for (int a : new int[]{0, 3, 48, -1, Integer.MIN_VALUE}) {
            assertThat(rejects(RawGguf.header(0, 1).kvU32("general.alignment", a).bytes())).contains("power of two");
        }
        assertThat(rejects(RawGguf.header(0, 1).kvString("general.alignment", "32").bytes())).contains("power of two");
        byte[] array = RawGguf.header(0, 1).str("general.alignment").u32(ValueType.ARRAY.id).u32(ValueType.UINT32.id).u64(1).u32(32).bytes();
        assertThat(rejects(array)).contains("power of two").doesNotContain("[I@");
    }

    @Test
    void duplicateTensorNames() {
        byte[] f = RawGguf.header(2, 0).tensor("t", 0, 0, 8).tensor("t", 0, 32, 8).align(32).zeros(64).bytes();
        assertThat(rejects(f)).contains("duplicate tensor name 't'");
    }

    /** Names from the file end up in messages; they must not break the one-line contract. */
    @Test
    void hostileNamesAreShownEscapedAndShort() {
        String evil = "line\nbreak\u001b[31mred\r" + "x".repeat(100_000);
        byte[] key = RawGguf.header(0, 1).str(evil).u32(99).bytes();
        assertThat(rejects(key)).startsWith("metadata 'line\\u000abreak\\u001b[31mred\\u000dxxx").contains("...'");
        byte[] tensor = RawGguf.header(1, 0).tensor(evil, 99, 0, 32).align(32).zeros(128).bytes();
        assertThat(rejects(tensor)).startsWith("tensor 'line\\u000abreak");
        byte[] alignment = RawGguf.header(0, 1).kvString("general.alignment", evil).bytes();
        assertThat(rejects(alignment)).contains("power of two");
    }

    @Test
    void duplicateKeys() {
        byte[] f = RawGguf.header(0, 2).kvString("general.name", "a").kvString("general.name", "b").bytes();
        assertThat(rejects(f)).contains("duplicate metadata key 'general.name'");
    }

    @Test
    void unknownValueTypes() {
        for (int type : new int[]{13, 99, -1, Integer.MIN_VALUE}) {
            assertThat(rejects(RawGguf.header(0, 1).str("k").u32(type).zeros(16).bytes()))
                    .contains("metadata 'k' has unknown value type " + Integer.toUnsignedString(type));
            assertThat(rejects(RawGguf.header(0, 1).str("k").u32(ValueType.ARRAY.id).u32(type).u64(0).bytes()))
                    .contains("metadata 'k' is an array of unknown type " + Integer.toUnsignedString(type));
        }
        byte[] nested = RawGguf.header(0, 1).str("k").u32(ValueType.ARRAY.id).u32(ValueType.ARRAY.id).u64(0).bytes();
        assertThat(rejects(nested)).contains("array of arrays");
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5, 31, 32, 33, 36, 37, 38, 40, 63, 64, 1000, -1})
    void unknownGgmlTypeIds(int typeId) {
        byte[] f = RawGguf.header(1, 0).tensor("t", typeId, 0, 256).align(32).zeros(1024).bytes();
        assertThat(rejects(f)).contains("tensor 't' has unknown ggml type id " + Integer.toUnsignedString(typeId));
    }

    @Test
    void zeroLengthFile() throws IOException {
        Path f = Files.createFile(dir.resolve("empty.gguf"));
        assertThatThrownBy(() -> GgufFile.open(f)).isInstanceOf(GgufException.class)
                .hasMessage("empty.gguf: file ends while reading magic at byte 0: the file is truncated or corrupt");
    }

    @Test
    void directoryAndMissingFile() {
        assertThatThrownBy(() -> GgufFile.open(dir)).isInstanceOf(GgufException.class).hasMessageContaining("is a directory");
        assertThatThrownBy(() -> GgufFile.open(dir.resolve("nope.gguf"))).isInstanceOf(GgufException.class)
                .hasMessageContaining("no such file");
    }

    /** Opening a FIFO for reading blocks in native code until a writer appears, so only a separate thread can time it out. */
    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void fifoIsRefusedNotWaitedOn() throws Exception {
        Path fifo = dir.resolve("pipe.gguf");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertThatThrownBy(() -> GgufFile.open(fifo)).isInstanceOf(GgufException.class).hasMessageContaining("not a regular file");
    }

    /** Through the file path too: the message names the file, and a refused file leaves nothing mapped. */
    @Test
    void openNamesTheFile() throws IOException {
        Path f = dir.resolve("bad.gguf");
        Files.write(f, RawGguf.header(0, 2).kvString("a", "x").kvString("a", "y").bytes());
        assertThatThrownBy(() -> GgufFile.open(f)).isInstanceOf(GgufException.class)
                .hasMessage("bad.gguf: duplicate metadata key 'a'");
    }
}
