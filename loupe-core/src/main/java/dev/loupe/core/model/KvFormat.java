package dev.loupe.core.model;

import dev.loupe.core.LoupeException;
import dev.loupe.core.tensor.GgmlType;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The ggml types the KV cache stores keys and values as, chosen separately (llama.cpp's {@code --cache-type-k} and
 * {@code --cache-type-v}). F16 for both is llama.cpp's default and Loupe's; Q8_0 halves the cache again and Q4_0
 * nearly quarters it, at a cost in accuracy measured in BENCHMARKS.md ("KV cache types").
 *
 * @param keys   type of the key rows
 * @param values type of the value rows
 */
public record KvFormat(GgmlType keys, GgmlType values) {
    /** The types a cache row can be: the float types and the 32-element block types with integer dots. */
    public static final List<GgmlType> TYPES = List.of(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0);

    /** F16 keys and values, as llama.cpp caches by default. */
    public static final KvFormat DEFAULT = new KvFormat(GgmlType.F16, GgmlType.F16);

    public KvFormat {
        check(keys, "key");
        check(values, "value");
    }

    /** A cache type from its name as llama.cpp spells it ({@code f16}, {@code q8_0}, ...; any case). */
    public static GgmlType parseType(String name) {
        for (GgmlType t : TYPES) if (t.name().equalsIgnoreCase(name.trim())) return t;
        throw new LoupeException("unknown KV cache type '" + name + "' (valid: " + names() + ")");
    }

    /** The valid type names, lower case as on the command line: "f32, f16, q8_0, q4_0". */
    public static String names() {
        return TYPES.stream().map(t -> t.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
    }

    /** Throws a user error when a head of this model does not split into whole blocks of the chosen types. */
    public void checkFits(ModelConfig c) {
        fits(keys, c.headDim(), "key");
        fits(values, c.valueDim(), "value");
    }

    /**
     * The Hadamard chunk Q and K are rotated by before K is stored, or 0 for none: as llama.cpp (attn_rot_k), a
     * quantized key cache whose head size is a multiple of 64 is rotated in chunks of the largest power of two
     * dividing the head size.
     */
    public int keyRotation(ModelConfig c) {
        if (!keys.isQuantized() || c.headDim() % 64 != 0) return 0;
        return Integer.lowestOneBit(c.headDim());
    }

    /**
     * The Hadamard chunk V is rotated by before it is stored (and the attention output after), or 0 for none: as
     * llama.cpp (attn_rot_v), chunks of 64 for a quantized value cache whose head size is a multiple of 64.
     */
    public int valueRotation(ModelConfig c) {
        return values.isQuantized() && c.valueDim() % 64 == 0 ? 64 : 0;
    }

    private static void fits(GgmlType t, int headSize, String what) {
        if (headSize % t.blockSize != 0) {
            throw new LoupeException("a " + t + " " + what + " cache needs a head size that is a multiple of "
                    + t.blockSize + "; this model's is " + headSize + " (use f16 or f32)");
        }
    }

    private static void check(GgmlType t, String what) {
        if (!TYPES.contains(t)) throw new LoupeException(t + " cannot be a " + what + " cache type (valid: " + names() + ")");
    }

    @Override
    public String toString() {
        return "K " + keys.name().toLowerCase(Locale.ROOT) + ", V " + values.name().toLowerCase(Locale.ROOT);
    }
}
