package dev.loupe.core.quant;

import dev.loupe.core.LoupeException;
import dev.loupe.core.tensor.FloatEncoder;
import dev.loupe.core.tensor.GgmlType;

import java.util.EnumSet;
import java.util.Set;

/** The types Loupe can write, and a fresh (single-threaded) {@link RowQuantizer} for each. */
public final class Quantizers {
    private static final Set<GgmlType> SUPPORTED = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16,
            GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
            GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);

    private Quantizers() {}

    public static boolean supports(GgmlType type) {
        return SUPPORTED.contains(type);
    }

    public static Set<GgmlType> supported() {
        return EnumSet.copyOf(SUPPORTED);
    }

    /** A new quantizer for {@code type}; each holds its own scratch, so make one per thread. */
    public static RowQuantizer create(GgmlType type) {
        return switch (type) {
            case Q8_0 -> new Q8_0Quantizer();
            case Q4_0 -> LegacyQuantizer.q4_0();
            case Q4_1 -> LegacyQuantizer.q4_1();
            case Q5_0 -> LegacyQuantizer.q5_0();
            case Q5_1 -> LegacyQuantizer.q5_1();
            case Q4_K -> ScaleMinQuantizer.q4_K();
            case Q5_K -> ScaleMinQuantizer.q5_K();
            case Q6_K -> new Q6_KQuantizer();
            case F32, F16, BF16 -> new FloatRows(type);
            default -> throw new LoupeException("Loupe cannot write " + type + " (supported: " + SUPPORTED + ")");
        };
    }

    /**
     * What llama.cpp's CPU backend runs when it writes float rows into a tensor of {@code type} at run time
     * ({@code type_traits_cpu[type].from_float}, as {@code ggml_compute_forward_set_rows} does for the KV cache):
     * the reference quantizer for every type but Q8_0, whose x86 conversion rounds differently (see
     * {@link Q8_0Quantizer#x86()}). One instance per thread.
     */
    public static RowQuantizer fromFloat(GgmlType type) {
        return type == GgmlType.Q8_0 ? Q8_0Quantizer.x86() : create(type);
    }

    /** The float types, for tensors whose shape rules out every block type (llama.cpp falls back to F16). */
    private record FloatRows(GgmlType type) implements RowQuantizer {
        @Override
        public void quantize(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
            FloatEncoder.encode(type, src, srcOff, n, dst, dstOff);
        }
    }
}
