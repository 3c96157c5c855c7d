package dev.loupe.core.gguf;

import dev.loupe.core.tensor.GgmlType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Small GGUF files for tests, built with {@link GgufWriter}: every value type, a few tensors. */
final class SampleGguf {
    private SampleGguf() {}

    /** One key per scalar type, per array element type, empty arrays, unicode and an empty string. */
    static GgufWriter allValueTypes() {
        return new GgufWriter()
                .putString("general.architecture", "llama")
                .putUInt8("t.u8", 255).putInt8("t.i8", -128)
                .putUInt16("t.u16", 65535).putInt16("t.i16", -32768)
                .putUInt32("t.u32", 0xFFFF_FFFFL).putInt32("t.i32", Integer.MIN_VALUE)
                .putUInt64("t.u64", -1L).putInt64("t.i64", Long.MIN_VALUE)
                .putFloat32("t.f32", -1.5e-7f).putFloat64("t.f64", Math.PI)
                .putFloat32("t.nan", Float.intBitsToFloat(0x7fc00001))
                .putBool("t.true", true).putBool("t.false", false)
                .putString("t.empty", "")
                .putString("t.unicode", "héllo ▁wörld 日本語 🦙 \u0000 nul")
                .putArray("a.u8", ValueType.UINT8, new byte[]{0, 1, (byte) 255})
                .putArray("a.i8", ValueType.INT8, new byte[]{-128, 0, 127})
                .putArray("a.u16", ValueType.UINT16, new short[]{0, (short) 65535})
                .putArray("a.i16", ValueType.INT16, new short[]{Short.MIN_VALUE, 1})
                .putArray("a.u32", ValueType.UINT32, new int[]{0, -1, 7})
                .putArray("a.i32", ValueType.INT32, new int[]{Integer.MIN_VALUE, 42})
                .putArray("a.u64", ValueType.UINT64, new long[]{-1L, 0})
                .putArray("a.i64", ValueType.INT64, new long[]{Long.MAX_VALUE, -5})
                .putArray("a.f32", ValueType.FLOAT32, new float[]{1f, -0f, Float.NEGATIVE_INFINITY})
                .putArray("a.f64", ValueType.FLOAT64, new double[]{2.5, Double.MIN_VALUE})
                .putArray("a.bool", ValueType.BOOL, new boolean[]{true, false, true})
                .putArray("a.str", ValueType.STRING, new String[]{"<s>", "", "▁the", "🦙"})
                .putArray("e.u8", ValueType.UINT8, new byte[0])
                .putArray("e.i16", ValueType.INT16, new short[0])
                .putArray("e.i32", ValueType.INT32, new int[0])
                .putArray("e.u64", ValueType.UINT64, new long[0])
                .putArray("e.f32", ValueType.FLOAT32, new float[0])
                .putArray("e.f64", ValueType.FLOAT64, new double[0])
                .putArray("e.bool", ValueType.BOOL, new boolean[0])
                .putArray("e.str", ValueType.STRING, new String[0]);
    }

    /** {@link #allValueTypes} plus three small tensors of random bytes; the last one's size is a multiple of 32. */
    static GgufWriter small(long seed) {
        Random r = new Random(seed);
        return allValueTypes()
                .addTensor("a", GgmlType.F32, new long[]{3}, randomBytes(r, 12))
                .addTensor("b.weight", GgmlType.Q8_0, new long[]{32, 2}, randomBytes(r, 68))
                .addTensor("c", GgmlType.F16, new long[]{16, 2}, randomBytes(r, 64));
    }

    static byte[] randomBytes(Random r, long n) {
        byte[] b = new byte[Math.toIntExact(n)];
        r.nextBytes(b);
        return b;
    }

    /** Writes to a temporary file and returns the bytes. */
    static byte[] bytes(GgufWriter w) {
        try {
            Path dir = Files.createTempDirectory("loupe-gguf");
            Path f = dir.resolve("x.gguf");
            w.write(f);
            byte[] b = Files.readAllBytes(f);
            Files.delete(f);
            Files.delete(dir);
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
