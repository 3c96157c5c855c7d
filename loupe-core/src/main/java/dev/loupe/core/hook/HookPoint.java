package dev.loupe.core.hook;

import dev.loupe.core.LoupeException;

import java.util.ArrayList;
import java.util.List;

/**
 * One named hook point: a site and, for per-layer sites, a layer. {@link #name()} is the TransformerLens name,
 * e.g. {@code blocks.3.attn.hook_z}; {@link #parse} reads it back.
 */
public record HookPoint(HookSite site, int layer) {

    public HookPoint {
        if (site.perLayer() ? layer < 0 : layer != -1) {
            throw new IllegalArgumentException(site + (site.perLayer() ? " needs a layer" : " has no layer"));
        }
    }

    public static HookPoint of(HookSite site) {
        return new HookPoint(site, -1);
    }

    public static HookPoint of(HookSite site, int layer) {
        return new HookPoint(site, layer);
    }

    public String name() {
        return site.perLayer() ? "blocks." + layer + "." + site.suffix() : site.suffix();
    }

    @Override
    public String toString() {
        return name();
    }

    /** Reads a TransformerLens name; a user error names the valid suffixes. */
    public static HookPoint parse(String name) {
        String rest = name;
        int layer = -1;
        if (name.startsWith("blocks.")) {
            int dot = name.indexOf('.', 7);
            if (dot < 0) throw bad(name);
            try {
                layer = Integer.parseInt(name.substring(7, dot));
            } catch (NumberFormatException e) {
                throw bad(name);
            }
            rest = name.substring(dot + 1);
        }
        for (HookSite s : HookSite.values()) {
            if (s.suffix().equals(rest) && s.perLayer() == (layer >= 0)) return new HookPoint(s, layer);
        }
        throw bad(name);
    }

    /** Every hook point of a model with {@code layers} blocks, in the order the forward pass reaches them. */
    public static List<HookPoint> all(int layers) {
        List<HookPoint> out = new ArrayList<>();
        out.add(of(HookSite.EMBED));
        for (int l = 0; l < layers; l++) {
            for (HookSite s : HookSite.values()) if (s.perLayer()) out.add(of(s, l));
        }
        out.add(of(HookSite.LN_FINAL));
        out.add(of(HookSite.LOGITS));
        return out;
    }

    private static LoupeException bad(String name) {
        List<String> names = new ArrayList<>();
        for (HookSite s : HookSite.values()) names.add(s.perLayer() ? "blocks.L." + s.suffix() : s.suffix());
        return new LoupeException("unknown hook point '" + name + "' (known: " + String.join(", ", names) + ")");
    }
}
