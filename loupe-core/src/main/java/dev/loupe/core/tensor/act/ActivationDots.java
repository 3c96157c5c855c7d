package dev.loupe.core.tensor.act;

import dev.loupe.core.tensor.Codec;
import dev.loupe.core.tensor.Codecs;
import dev.loupe.core.tensor.GgmlType;
import dev.loupe.core.tensor.RowGroups;

import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.Map;

/**
 * For each weight type: the type llama.cpp's CPU backend converts activations to before a matrix multiply
 * (type_traits_cpu[type].vec_dot_type in ggml-cpu.c) and the dot product against it. The float types keep
 * a float dot, on activations rounded to the weight's own type; the quantized types use integer dots,
 * vectorized where {@link VectorDots} has a kernel and the scalar reference otherwise.
 */
public final class ActivationDots {
    private record Entry(GgmlType vecDotType, ActivationDot fast, ActivationDot reference) {}

    private static final Map<GgmlType, Entry> TABLE = new EnumMap<>(GgmlType.class);

    static {
        floatType(GgmlType.F32);
        floatType(GgmlType.F16);
        floatType(GgmlType.BF16);
        quantized(BlockFormat.Q8_0, GgmlType.Q8_0, VectorDots::q8_0, VectorDotRows::q8_0);
        quantized(BlockFormat.Q4_0, GgmlType.Q8_0, VectorDots::q4_0, VectorDotRows::q4_0);
        quantized(BlockFormat.Q5_0, GgmlType.Q8_0, null, null);
        quantized(BlockFormat.Q4_1, GgmlType.Q8_1, null, null);
        quantized(BlockFormat.Q5_1, GgmlType.Q8_1, null, null);
        quantized(BlockFormat.Q2_K, GgmlType.Q8_K, null, null);
        quantized(BlockFormat.Q3_K, GgmlType.Q8_K, null, null);
        quantized(BlockFormat.Q4_K, GgmlType.Q8_K, VectorDots::q4_K, VectorDotRows::q4_K);
        quantized(BlockFormat.Q5_K, GgmlType.Q8_K, VectorDots::q5_K, VectorDotRows::q5_K);
        quantized(BlockFormat.Q6_K, GgmlType.Q8_K, VectorDots::q6_K, VectorDotRows::q6_K);
    }

    private ActivationDots() {}

    /** F32/F16/BF16 × the same type: ggml_vec_dot_f16 etc. widen both sides and sum in float, as the codec's dot does. */
    private static void floatType(GgmlType t) {
        Codec codec = Codecs.of(t, t.name());
        ActivationDot d = new ActivationDot() {
            @Override
            public float dot(MemorySegment w, long off, QuantizedVector a, int e, int n) {
                return codec.dot(w, off, a.f, e, n);
            }

            @Override
            public void dotRows(MemorySegment w, long off, QuantizedVector a, int e, int rows, int n, float[] out, int o, int os) {
                codec.dotRows(w, off, a.f, e, n, rows, n, out, o, os);
            }
        };
        TABLE.put(t, new Entry(t, d, d));
    }

    /** {@link ActivationDot#dotTile}'s signature: a tile of weight rows against several inputs. */
    @FunctionalInterface
    private interface Tile {
        void dotTile(MemorySegment w, long off, long rowBytes, int rows, QuantizedVector a, int e, int inputs, int n,
                     float[] out, int o, int os);
    }

    private static void quantized(BlockFormat f, GgmlType vecDotType, ActivationDot vector, Tile rows) {
        ActivationDot ref = new ScalarDot(f);
        ActivationDot fast = vector != null && VectorDots.AVAILABLE ? vector : ref;
        if (rows != null && VectorDots.AVAILABLE) fast = withRows(vector, rows);
        TABLE.put(f.type, new Entry(vecDotType, fast, ref));
    }

    /** {@code one} for a single input, {@code tile} (weights unpacked once, bit-identical) for a batch. */
    private static ActivationDot withRows(ActivationDot one, Tile tile) {
        return new ActivationDot() {
            @Override
            public float dot(MemorySegment w, long off, QuantizedVector a, int e, int n) {
                return one.dot(w, off, a, e, n);
            }

            @Override
            public void dotRows(MemorySegment w, long off, QuantizedVector a, int e, int r, int n, float[] out, int o, int os) {
                if (r < VectorDotRows.MIN_ROWS) ActivationDot.super.dotRows(w, off, a, e, r, n, out, o, os);
                else tile.dotTile(w, off, 0, 1, a, e, r, n, out, o, os);
            }

            @Override
            public void dotTile(MemorySegment w, long off, long rowBytes, int rows, QuantizedVector a, int e, int inputs, int n,
                                float[] out, int o, int os) {
                if (inputs >= VectorDotRows.MIN_ROWS) {
                    tile.dotTile(w, off, rowBytes, rows, a, e, inputs, n, out, o, os);
                    return;
                }
                for (int r = 0; r < rows; r++) {
                    for (int b = 0; b < inputs; b++) out[o + b * os + r] = one.dot(w, off + r * rowBytes, a, e + b * n, n);
                }
            }
        };
    }

    /**
     * The kernel for weights in their {@link RowGroups} layout: only {@link ActivationDot#dotTile}
     * is defined, over whole groups (offset and rows multiples of 8 rows); each input meets each group once.
     */
    private static final Map<GgmlType, ActivationDot> GROUPS = new EnumMap<>(GgmlType.class);

    static {
        if (VectorDots.AVAILABLE) {
            GROUPS.put(GgmlType.Q4_0, grouped(GroupDots::q4_0, GroupDots::q4_0Batch));
            GROUPS.put(GgmlType.Q4_K, grouped(GroupDots::q4_K, GroupDots::q4_KBatch));
            GROUPS.put(GgmlType.Q6_K, grouped(GroupDots::q6_K, GroupDots::q6_KBatch));
        }
    }

    /** {@link GroupDots}' signature: an input against the 8 rows of the group at {@code off}, into out[o..o+8). */
    @FunctionalInterface
    private interface Group {
        void dot(MemorySegment w, long off, QuantizedVector a, int e, int n, float[] out, int o);
    }

    /** A batch of inputs against the 8 rows of the group at {@code off}: input b into out[o + b·os ..], bit-identical to {@link Group}. */
    @FunctionalInterface
    private interface GroupBatch {
        void dot(MemorySegment w, long off, QuantizedVector a, int e, int inputs, int n, float[] out, int o, int os);
    }

    /** Inputs from which the batch kernel (weights unpacked once per call) beats the single-input one per input. */
    private static final int GROUP_BATCH_MIN = 3;

    private static ActivationDot grouped(Group kernel, GroupBatch batch) {
        return new ActivationDot() {
            @Override
            public float dot(MemorySegment w, long off, QuantizedVector a, int e, int n) {
                throw new UnsupportedOperationException("a row-group layout has no single-row dot");
            }

            @Override
            public void dotTile(MemorySegment w, long off, long rowBytes, int rows, QuantizedVector a, int e, int inputs, int n,
                                float[] out, int o, int os) {
                long groupBytes = RowGroups.ROWS * rowBytes;
                for (int g = 0; g < rows / RowGroups.ROWS; g++) {
                    // The batch kernel gives the same bits, so it also serves a vector too long to be repeated.
                    if (inputs >= GROUP_BATCH_MIN || !a.repeated()) batch.dot(w, off + g * groupBytes, a, e, inputs, n, out, o + 8 * g, os);
                    else for (int b = 0; b < inputs; b++) kernel.dot(w, off + g * groupBytes, a, e + b * n, n, out, o + b * os + 8 * g);
                }
            }
        };
    }

    /** Whether weights of {@code weightType} have a row-group kernel (and so are worth repacking). */
    public static boolean supportsGroups(GgmlType weightType) {
        return GROUPS.containsKey(weightType);
    }

    /** The row-group kernel of {@code weightType}, for weights repacked into its RowGroups layout. */
    public static ActivationDot ofGroups(GgmlType weightType) {
        ActivationDot d = GROUPS.get(weightType);
        if (d == null) throw new IllegalArgumentException("no row-group kernel for " + weightType);
        return d;
    }

    public static boolean supports(GgmlType weightType) {
        return TABLE.containsKey(weightType);
    }

    /** The type activations are converted to before multiplying by {@code weightType}. */
    public static GgmlType vecDotType(GgmlType weightType) {
        return entry(weightType).vecDotType;
    }

    /** The dot the engine uses for {@code weightType}. */
    public static ActivationDot of(GgmlType weightType) {
        return entry(weightType).fast;
    }

    /** The scalar reference the fast dot is tested against. */
    public static ActivationDot reference(GgmlType weightType) {
        return entry(weightType).reference;
    }

    private static Entry entry(GgmlType t) {
        Entry e = TABLE.get(t);
        if (e == null) throw new IllegalArgumentException("no activation dot for " + t);
        return e;
    }
}
