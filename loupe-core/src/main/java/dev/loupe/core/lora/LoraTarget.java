package dev.loupe.core.lora;

import dev.loupe.core.LoupeException;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The per-layer matrices a LoRA adapter can change, by llama.cpp's tensor names. */
public enum LoraTarget {
    ATTN_Q("attn_q"), ATTN_K("attn_k"), ATTN_V("attn_v"), ATTN_OUTPUT("attn_output"),
    FFN_GATE("ffn_gate"), FFN_UP("ffn_up"), FFN_DOWN("ffn_down");

    public final String tensorName;

    LoraTarget(String tensorName) {
        this.tensorName = tensorName;
    }

    /** The base tensor of layer {@code layer}, e.g. {@code blk.0.attn_q.weight}. */
    public String baseName(int layer) {
        return "blk." + layer + "." + tensorName + ".weight";
    }

    public static LoraTarget parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (LoraTarget t : values()) if (t.tensorName.equals(n)) return t;
        throw new LoupeException("unknown LoRA target '" + name + "' (attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down, or all)");
    }

    /** "attn_q,attn_v" or "all". */
    public static Set<LoraTarget> parseList(String list) {
        if (list.trim().equals("all")) return EnumSet.allOf(LoraTarget.class);
        EnumSet<LoraTarget> s = EnumSet.noneOf(LoraTarget.class);
        for (String n : list.split(",")) s.add(parse(n));
        return s;
    }
}
