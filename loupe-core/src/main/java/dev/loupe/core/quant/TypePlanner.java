package dev.loupe.core.quant;

import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.Metadata;
import dev.loupe.core.gguf.TensorInfo;
import dev.loupe.core.tensor.GgmlType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chooses each tensor's type the way llama.cpp's {@code llama_tensor_get_type} does (llama-quant.cpp) for the
 * mixtures of {@link QuantMix}, without an importance matrix: which tensors may be quantized at all, the
 * output / token-embedding / attn_v / ffn_down rules of the _M and _S mixtures, and the fallback to a
 * 32-block type when a row is not a multiple of 256. Tensors are visited in llama.cpp's order (by layer,
 * then by name), because the attn_v and ffn_down rules count tensors as they go.
 *
 * <p>Not mirrored: rules that only fire for low-bit mixtures Loupe cannot write (Q2_K, Q3_K, IQ*), for
 * Falcon's ffn_down under Q3_K, and for 70B models (attn_v of a Q4_K mixture becomes Q5_K there).
 */
public final class TypePlanner {
    private static final Pattern LAYER = Pattern.compile("^blk\\.(-?\\d+)\\.");
    /** Substrings of tensor names that llama.cpp never quantizes (tensor_allows_quantization). */
    private static final List<String> KEEP = List.of("_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight",
            "altup", "laurel", "per_layer_model_proj", "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight",
            "indexer.q_proj.weight", "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight",
            "time_mix_w2.weight", "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight", "time_mix_a0.weight",
            "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight", "time_mix_g2.weight",
            "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight", "attn_rel_b.weight",
            ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos", ".patch_embd", ".patch_merger",
            "a.rvq.codebook", "mm.a.code_embd");

    private final QuantMix mix;
    private final boolean pure;
    private final String arch;
    private final int layers;
    private final int experts;

    private boolean tiedEmbeddings;
    private int nAttnV, iAttnV, iFfnDown;
    private int fallbacks;

    public TypePlanner(QuantMix mix, boolean pure, String arch, int layers, int experts) {
        this.mix = mix;
        this.pure = pure;
        this.arch = arch;
        this.layers = layers;
        this.experts = Math.max(1, experts);
    }

    /** The plan for a whole file, reading arch, block_count and expert_count from its metadata. */
    public static List<PlannedTensor> plan(GgufFile f, QuantMix mix, boolean pure) {
        Metadata md = f.metadata();
        String arch = md.getString("general.architecture");
        int layers = (int) md.getLong(arch + ".block_count");
        int experts = md.has(arch + ".expert_count") ? (int) md.getLong(arch + ".expert_count") : 0;
        return new TypePlanner(mix, pure, arch, layers, experts).plan(f.tensors());
    }

    /** Tensors in the order they will be written, each with its type. */
    public List<PlannedTensor> plan(List<TensorInfo> tensors) {
        List<TensorInfo> ordered = new ArrayList<>(tensors);
        ordered.sort(Comparator.comparingInt((TensorInfo t) -> layerOf(t.name())).thenComparing(TensorInfo::name));
        tiedEmbeddings = true;
        nAttnV = iAttnV = iFfnDown = fallbacks = 0;
        for (TensorInfo t : ordered) {
            TensorCategory c = TensorCategory.of(t.name());
            if (c.isAttnV()) nAttnV++;
            if (c == TensorCategory.OUTPUT) tiedEmbeddings = false;
        }
        List<PlannedTensor> out = new ArrayList<>(ordered.size());
        for (TensorInfo t : ordered) {
            int before = fallbacks;
            GgmlType target = allowsQuantization(t) ? typeFor(t) : t.type();
            out.add(new PlannedTensor(t, target, fallbacks > before));
        }
        return out;
    }

    /** How many tensors fell back to another type because of their row length. */
    public int fallbacks() {
        return fallbacks;
    }

    static boolean allowsQuantization(TensorInfo t) {
        if (nDims(t.shape()) < 2) return false;
        String name = t.name();
        if (!name.endsWith("weight")) return false;
        for (String k : KEEP) if (name.contains(k)) return false;
        return !name.equals("position_embd.weight") && !name.equals("token_types.weight");
    }

    /** ggml_n_dims: trailing dimensions of size 1 do not count. */
    private static int nDims(long[] shape) {
        for (int i = shape.length - 1; i >= 1; i--) if (shape[i] > 1) return i + 1;
        return 1;
    }

    private GgmlType typeFor(TensorInfo t) {
        GgmlType type = mix.defaultType;
        if (!pure) type = mixtureType(t, type);
        return fallback(t, type);
    }

    private GgmlType mixtureType(TensorInfo t, GgmlType type) {
        TensorCategory c = TensorCategory.of(t.name());
        boolean falcon = "falcon".equals(arch);
        if (c == TensorCategory.OUTPUT || (tiedEmbeddings && c == TensorCategory.TOKEN_EMBD)) {
            // The output projection (or the embedding that doubles as it) gets more bits.
            if (falcon || t.rowLength() % type.blockSize != 0) return GgmlType.Q8_0;
            return type != GgmlType.Q8_0 ? GgmlType.Q6_K : type;
        }
        if (c.isAttnV()) {
            if ((mix == QuantMix.Q4_K_M || mix == QuantMix.Q5_K_M) && useMoreBits(iAttnV, nAttnV)) type = GgmlType.Q6_K;
            else if (mix == QuantMix.Q4_K_S && iAttnV < 4) type = GgmlType.Q5_K;
            if (experts == 8) type = GgmlType.Q8_0;
            iAttnV++;
            return type;
        }
        if (c == TensorCategory.ATTENTION_K) return experts == 8 ? GgmlType.Q8_0 : type;
        if (c == TensorCategory.FFN_DOWN) {
            int layer = experts > 1 ? layerOf(t.name()) : iFfnDown;
            if (mix == QuantMix.Q4_K_M) {
                if (falcon) type = layer < layers / 16 ? GgmlType.Q6_K : useMoreBits(layer, layers) ? GgmlType.Q5_K : GgmlType.Q4_K;
                else if (useMoreBits(layer, layers)) type = GgmlType.Q6_K;
            } else if (mix == QuantMix.Q5_K_M && useMoreBits(layer, layers)) {
                type = GgmlType.Q6_K;
            } else if (mix == QuantMix.Q4_K_S && !falcon && layer < layers / 8) {
                type = GgmlType.Q5_K;
            }
            iFfnDown++;
            return type;
        }
        if (c == TensorCategory.ATTENTION_OUTPUT && !falcon && experts == 8
                && (mix == QuantMix.Q4_K_S || mix == QuantMix.Q4_K_M)) {
            return GgmlType.Q5_K;
        }
        return type;
    }

    /** The first and last eighth of the layers, and every third one between. */
    static boolean useMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    /** tensor_type_fallback: a row that the block type cannot split gets a 32-block type, or F16 if even that fails. */
    private GgmlType fallback(TensorInfo t, GgmlType type) {
        long cols = t.rowLength();
        if (cols % type.blockSize == 0) return type;
        fallbacks++;
        GgmlType r = switch (type) {
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> type;
        };
        return cols % r.blockSize == 0 ? r : GgmlType.F16;
    }

    /** llama.cpp's sort key: the N of "blk.N.", or -1 for tensors outside the layers. */
    static int layerOf(String name) {
        Matcher m = LAYER.matcher(name);
        if (!m.find()) return -1;
        try {
            return Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
