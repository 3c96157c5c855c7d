package dev.loupe.core.hook;

import java.util.function.Predicate;

/**
 * The hooks registered on a forward engine, indexed by site and layer so the forward pass finds them with two
 * array reads. With no {@code Hooks} installed the forward pass pays one null check per hook site per layer.
 * Several hooks at one point run in the order they were added.
 */
public final class Hooks {
    private final int layers;
    private final Hook[][] table;
    private final HookPoint[][] points;
    private final HookTensor view = new HookTensor();

    public Hooks(int layers) {
        this.layers = layers;
        int sites = HookSite.values().length;
        this.table = new Hook[sites][layers + 1];
        this.points = new HookPoint[sites][layers + 1];
        for (HookSite s : HookSite.values()) {
            if (!s.perLayer()) points[s.ordinal()][0] = HookPoint.of(s);
            else for (int l = 0; l < layers; l++) points[s.ordinal()][l] = HookPoint.of(s, l);
        }
    }

    public int layers() {
        return layers;
    }

    /** Adds {@code hook} at the point named {@code name} (TransformerLens naming). */
    public Hooks add(String name, Hook hook) {
        return add(HookPoint.parse(name), hook);
    }

    public Hooks add(HookPoint p, Hook hook) {
        int l = p.site().perLayer() ? p.layer() : 0;
        if (l >= layers && p.site().perLayer()) {
            throw new dev.loupe.core.LoupeException("hook point " + p.name() + " is past the model's " + layers + " layers");
        }
        Hook prev = table[p.site().ordinal()][l];
        table[p.site().ordinal()][l] = prev == null ? hook : (pt, t) -> {
            prev.apply(pt, t);
            hook.apply(pt, t);
        };
        return this;
    }

    /** Adds {@code hook} at every point whose name passes {@code names}. */
    public Hooks addAll(Predicate<String> names, Hook hook) {
        for (HookPoint p : HookPoint.all(layers)) if (names.test(p.name())) add(p, hook);
        return this;
    }

    /** Whether anything is registered at this site and layer (layer ignored for model-wide sites). */
    public boolean has(HookSite site, int layer) {
        return table[site.ordinal()][site.perLayer() ? layer : 0] != null;
    }

    /**
     * Called by the forward pass: runs the hooks at (site, layer), if any, on {@code rows} rows of {@code width}
     * in {@code data}. Not thread-safe (the forward pass is single-caller).
     */
    public void fire(HookSite site, int layer, float[] data, int rows, int width, int heads, int[] positions) {
        int l = site.perLayer() ? layer : 0;
        Hook h = table[site.ordinal()][l];
        if (h == null) return;
        view.set(data, rows, width, heads, positions);
        h.apply(points[site.ordinal()][l], view);
    }
}
