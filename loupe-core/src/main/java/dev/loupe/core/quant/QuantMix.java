package dev.loupe.core.quant;

import dev.loupe.core.LoupeException;
import dev.loupe.core.tensor.GgmlType;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A target of {@code loupe quantize}: llama.cpp's {@code llama_ftype}, with its on-disk id (written to
 * {@code general.file_type}) and its default tensor type. The _M and _S mixtures give some tensors more or
 * fewer bits; see {@link TypePlanner}.
 */
public enum QuantMix {
    Q4_0(2, GgmlType.Q4_0), Q4_1(3, GgmlType.Q4_1), Q5_0(8, GgmlType.Q5_0), Q5_1(9, GgmlType.Q5_1), Q8_0(7, GgmlType.Q8_0),
    Q4_K_S(14, GgmlType.Q4_K), Q4_K_M(15, GgmlType.Q4_K), Q5_K_S(16, GgmlType.Q5_K), Q5_K_M(17, GgmlType.Q5_K),
    Q6_K(18, GgmlType.Q6_K);

    /** llama.cpp's LLAMA_FTYPE_MOSTLY_* value. */
    public final int fileType;
    public final GgmlType defaultType;

    QuantMix(int fileType, GgmlType defaultType) {
        this.fileType = fileType;
        this.defaultType = defaultType;
    }

    /** By name, case-insensitive; "Q4_K" and "Q5_K" mean Q4_K_M and Q5_K_M, as they do for llama-quantize. */
    public static QuantMix parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.equals("Q4_K")) return Q4_K_M;
        if (n.equals("Q5_K")) return Q5_K_M;
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new LoupeException("unknown quantization type '" + name + "' (use one of " + names() + ")");
        }
    }

    public static String names() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + ", Q4_K, Q5_K";
    }
}
