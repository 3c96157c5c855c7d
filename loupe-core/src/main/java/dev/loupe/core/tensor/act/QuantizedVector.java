package dev.loupe.core.tensor.act;

import dev.loupe.core.tensor.GgmlType;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * An activation vector converted to a weight type's {@code vec_dot_type}, as ggml-cpu's mul_mat does
 * before its dot products (src1 → wdata via type_traits_cpu[vec_dot_type].from_float). Buffers grow to the
 * largest vector seen and are then reused: {@link #quantize} allocates nothing once sized.
 *
 * <p>Only the fields of the current {@link #type()} are meaningful:
 * Q8_0/Q8_1/Q8_K fill {@link #qs} and {@link #d}; Q8_1 also {@link #s}; Q8_K also {@link #bsums};
 * F32/F16/BF16 fill {@link #f} with the activations rounded to that type (as floats).
 */
public final class QuantizedVector {
    private GgmlType type;
    private int n;
    /** int8 quants, one per element. */
    byte[] qs = new byte[0];
    /**
     * The same quants widened to int16: the vector kernels multiply in 16-bit lanes, and every weight row
     * reuses the activations, so widening them once here saves a conversion per 16 quants per row.
     */
    short[] wide = new short[0];
    /**
     * The quants in pairs, quant 2i in the low and 2i+1 in the high 16 bits of pairs[i]: broadcast to every int lane,
     * they face two adjacent columns of 8 interleaved rows ({@link GroupDots}).
     */
    int[] pairs = new int[0];
    /**
     * For the unmasked-nibble trick of the 4-bit row-group kernels: per 32 quants, at the index of pair j (j in 0..7),
     * (q[2j+16] − 16·q[2j], q[2j+17] − 16·q[2j+1]): what the high nibble of a byte must be multiplied by when the low
     * nibble is left in the byte, since lo·a + hi·a' = byte·a + hi·(a' − 16·a) ({@link GroupDots#q4_0}).
     */
    int[] pairsWrap = new int[0];
    /**
     * {@link #pairs} and {@link #pairsWrap} with each pair repeated 8 times (16 shorts per pair): the lanes of an int
     * vector, loaded as one vector by the single-input row-group kernels. Built only for vectors of at most
     * {@link #REPEAT_MAX} quants (a decoding step; 32 bytes per quant), see {@link #repeated()}.
     */
    short[] pairs16 = new short[0];
    short[] pairsWrap16 = new short[0];
    private boolean repeated;
    static final int REPEAT_MAX = 1 << 16;
    private static final VectorSpecies<Integer> REPEAT = IntVector.SPECIES_256;
    /** Elements per unit of a float conversion ({@link #prepare}). */
    static final int FLOAT_UNIT = 256;

    /** Whether {@link #pairs16} and {@link #pairsWrap16} hold this vector (else the kernels that need them must not run). */
    boolean repeated() {
        return repeated;
    }

    /** The quants as floats, in order (exact): the batched row-group kernels broadcast them. */
    float[] floats = new float[0];
    /** Per 32 quants: Σ qs (for {@link GroupDots}' unsigned quants and Q4_K mins), and the same as exact floats. */
    int[] sums32 = new int[0];
    float[] sums32F = new float[0];
    /** Per block: the scale ggml's dot reads (Q8_0/Q8_1: the fp16 d widened; Q8_K: the float d). */
    float[] d = new float[0];
    /** Q8_1 per block: fp16(d * Σ qs), widened. */
    float[] s = new float[0];
    /** Q8_K per 16 elements: Σ qs (ggml's int16 bsums). */
    int[] bsums = new int[0];
    /** Q8_K: the same bsums as floats (exact), for {@link VectorDotRows}' vector sums of mins and offsets. */
    float[] bsumsF = new float[0];
    /**
     * Q8_0/Q8_K: the same quants as floats (exact), each 16 of them stored evens first, then odds:
     * lanes[16c + j] = qs[16c + 2j], lanes[16c + 8 + j] = qs[16c + 2j + 1] for j in 0..7. That is the lane
     * order in which {@link VectorDots} pairs its 16-bit products into int lanes, so {@link VectorDotRows}
     * can form the same exact int lane sums with float FMAs and no shuffles per input.
     */
    float[] lanes = new float[0];
    /** F32/F16/BF16: the activations as that type, widened to float. */
    float[] f = new float[0];

    public GgmlType type() {
        return type;
    }

    public int length() {
        return n;
    }

    /** The rounded activations of an F32/F16/BF16 vector (valid for {@link #length()} elements). */
    public float[] floats() {
        return f;
    }

    /** The int8 quant of element {@code i} (Q8_* types). */
    public int q(int i) {
        return qs[i];
    }

    /**
     * Converts {@code x[0..n)} to {@code vecDotType}, mirroring the from_float llama.cpp's CPU backend runs on
     * an AVX2 machine: quantize_row_q8_0 / quantize_row_q8_1 (arch/x86/quants.c), quantize_row_q8_K_ref,
     * or a round to fp16/bf16. {@code n} must be a multiple of the type's block size.
     */
    public void quantize(float[] x, int n, GgmlType vecDotType) {
        convert(x, 0, prepare(n, vecDotType));
    }

    /**
     * The first half of {@link #quantize}: sizes the buffers for {@code n} elements of {@code vecDotType} and returns
     * how many independent units the conversion splits into; {@link #convert} then fills any ranges of units, in any
     * order and from any threads (each unit writes only its own elements), until all are done. Units are the type's
     * blocks (Q8_0/Q8_1 32 elements, Q8_K 256) or runs of {@link #FLOAT_UNIT} elements for float types.
     */
    public int prepare(int n, GgmlType vecDotType) {
        int bs = vecDotType.blockSize;
        if (n % bs != 0) throw new IllegalArgumentException(n + " elements are not whole " + vecDotType + " blocks");
        this.type = vecDotType;
        this.n = n;
        switch (vecDotType) {
            case F32, F16, BF16 -> {
                f = grow(f, n);
                return (n + FLOAT_UNIT - 1) / FLOAT_UNIT;
            }
            case Q8_0, Q8_1 -> {
                qs = grow(qs, n);
                d = grow(d, n / 32);
                if (vecDotType == GgmlType.Q8_1) s = grow(s, n / 32);
            }
            case Q8_K -> {
                qs = grow(qs, n);
                d = grow(d, n / 256);
                bsums = grow(bsums, n / 16);
                bsumsF = grow(bsumsF, n / 16);
            }
            default -> throw new IllegalArgumentException(vecDotType + " is not a vec_dot_type");
        }
        wide = grow(wide, n);
        floats = grow(floats, n);
        pairs = grow(pairs, n / 2);
        pairsWrap = grow(pairsWrap, n / 2);
        repeated = VectorDots.AVAILABLE && n <= REPEAT_MAX;
        if (repeated) {
            pairs16 = grow(pairs16, 8 * n);
            pairsWrap16 = grow(pairsWrap16, 8 * n);
        }
        sums32 = grow(sums32, n / 32);
        sums32F = grow(sums32F, n / 32);
        lanes = grow(lanes, n);
        return n / bs;
    }

    /** Converts units [{@code from}, {@code to}) of {@code x} as {@link #prepare} sized them: see there. */
    public void convert(float[] x, int from, int to) {
        // Each format and each derived form in a method of its own: one big method that did it all was compiled by C2
        // four times before a cold first token (twice on stack replacement, twice after an unstable_if deoptimization at
        // this switch when the second format arrived), ~0.7 s of compiler time.
        switch (type) {
            case F32 -> System.arraycopy(x, from * FLOAT_UNIT, f, from * FLOAT_UNIT, Math.min(n, to * FLOAT_UNIT) - from * FLOAT_UNIT);
            case F16 -> roundF16(x, from * FLOAT_UNIT, Math.min(n, to * FLOAT_UNIT));
            case BF16 -> roundBf16(x, from * FLOAT_UNIT, Math.min(n, to * FLOAT_UNIT));
            case Q8_0, Q8_1 -> derive(toQ8(x, from, to, type == GgmlType.Q8_1), to * 32);
            case Q8_K -> derive(toQ8K(x, from, to), to * 256);
            default -> throw new IllegalStateException(type + " is not a vec_dot_type");
        }
    }

    /** The int16, pair and sum forms of the quants in [e0, e1), from {@link #qs}. */
    private void derive(int e0, int e1) {
        widen(e0, e1);
        pairUp(e0, e1);
        if (repeated) repeatPairs(e0, e1);
        sumsAndLanes(e0, e1);
    }

    private void roundF16(float[] x, int e0, int e1) {
        for (int i = e0; i < e1; i++) f[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
    }

    private void roundBf16(float[] x, int e0, int e1) {
        for (int i = e0; i < e1; i++) f[i] = toBf16(x[i]);
    }

    /** Quantizes blocks [b0, b1) and returns their first element. */
    private int toQ8(float[] x, int b0, int b1, boolean withSum) {
        for (int b = b0; b < b1; b++) quantizeQ8Block(x, b, withSum);
        return b0 * 32;
    }

    /** Quantizes super-blocks [b0, b1) and returns their first element. */
    private int toQ8K(float[] x, int b0, int b1) {
        for (int b = b0; b < b1; b++) quantizeQ8KBlock(x, b);
        for (int i = b0 * 16; i < b1 * 16; i++) bsumsF[i] = bsums[i];
        return b0 * 256;
    }

    private void widen(int e0, int e1) {
        for (int i = e0; i < e1; i++) {
            wide[i] = qs[i];
            floats[i] = qs[i];
        }
    }

    private void pairUp(int e0, int e1) {
        for (int i = e0 / 2; i < e1 / 2; i++) pairs[i] = (qs[2 * i] & 0xFFFF) | qs[2 * i + 1] << 16;
        for (int b = e0; b < e1; b += 32) {
            for (int j = 0; j < 8; j++) {
                int k = b + 2 * j;
                pairsWrap[k / 2] = ((qs[k + 16] - 16 * qs[k]) & 0xFFFF) | (qs[k + 17] - 16 * qs[k + 1]) << 16;
            }
        }
    }

    /**
     * One broadcast store per pair and array: written short by short, these 32 bytes per quant were ~4% of a decoded
     * token (a store each). Only run where the row-group kernels that read them run (256-bit vectors).
     */
    private void repeatPairs(int e0, int e1) {
        for (int i = e0 / 2; i < e1 / 2; i++) {
            IntVector.broadcast(REPEAT, pairs[i]).reinterpretAsShorts().intoArray(pairs16, 16 * i);
            IntVector.broadcast(REPEAT, pairsWrap[i]).reinterpretAsShorts().intoArray(pairsWrap16, 16 * i);
        }
    }

    private void sumsAndLanes(int e0, int e1) {
        for (int b = e0 / 32; b < e1 / 32; b++) {
            int sum = 0;
            for (int j = 0; j < 32; j++) sum += qs[32 * b + j];
            sums32[b] = sum;
            sums32F[b] = sum;
        }
        for (int c = e0; c < e1; c += 16) {
            for (int j = 0; j < 8; j++) {
                lanes[c + j] = qs[c + 2 * j];
                lanes[c + 8 + j] = qs[c + 2 * j + 1];
            }
        }
    }

    /**
     * The AVX2 quantize_row_q8_0/q8_1: d = amax/127 stored as fp16, but the multiplier is 127/amax computed
     * from amax directly (not 1/d), and _mm256_round_ps(_MM_ROUND_NEAREST) rounds half to even ({@link Math#rint}).
     * |x·id| ≤ 127, so the int16/int8 packs never saturate. Q8_1's s is fp16(d · Σq) with the unrounded d.
     */
    private void quantizeQ8Block(float[] x, int b, boolean withSum) {
        int o = b * 32;
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[o + j]));
        float dd = amax / 127f;
        float id = amax != 0f ? 127f / amax : 0f;
        int sum = 0;
        for (int j = 0; j < 32; j++) {
            int q = (int) Math.rint(x[o + j] * id);
            qs[o + j] = (byte) q;
            sum += q;
        }
        d[b] = half(dd);
        if (withSum) s[b] = half(dd * sum);
    }

    /**
     * quantize_row_q8_K_ref (x86 uses the reference): the scale comes from the signed value of largest
     * magnitude (first one on ties), iscale = -127/max, nearest_int (round half to even, like the
     * 1.5·2^23 trick), clamped to 127 above; d = 1/iscale kept as float.
     */
    private void quantizeQ8KBlock(float[] x, int b) {
        int o = b * 256;
        float max = 0, amax = 0;
        for (int j = 0; j < 256; j++) {
            float ax = Math.abs(x[o + j]);
            if (ax > amax) {
                amax = ax;
                max = x[o + j];
            }
        }
        if (amax == 0f) {
            d[b] = 0;
            Arrays.fill(qs, o, o + 256, (byte) 0);
            Arrays.fill(bsums, b * 16, b * 16 + 16, 0);
            return;
        }
        float iscale = -127f / max;
        for (int j = 0; j < 256; j++) qs[o + j] = (byte) Math.min(127, (int) Math.rint(iscale * x[o + j]));
        for (int g = 0; g < 16; g++) {
            int sum = 0;
            for (int j = 0; j < 16; j++) sum += qs[o + g * 16 + j];
            bsums[b * 16 + g] = sum;
        }
        d[b] = 1 / iscale;
    }

    /** GGML_CPU_FP32_TO_FP16 (F16C, round to nearest even) and back. */
    static float half(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    /** ggml's fp32 → bf16 rounding, back in float. */
    static float toBf16(float v) {
        return Float.intBitsToFloat(dev.loupe.core.tensor.FloatEncoder.toBf16(v) << 16);
    }

    private static byte[] grow(byte[] a, int n) {
        return a.length >= n ? a : new byte[n];
    }

    private static short[] grow(short[] a, int n) {
        return a.length >= n ? a : new short[n];
    }

    private static float[] grow(float[] a, int n) {
        return a.length >= n ? a : new float[n];
    }

    private static int[] grow(int[] a, int n) {
        return a.length >= n ? a : new int[n];
    }
}
