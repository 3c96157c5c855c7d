package dev.loupe.lens.cache;

import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.Hook;
import dev.loupe.core.hook.HookSite;
import dev.loupe.core.model.ModelConfig;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Activations recorded at hook points during one run, by TransformerLens name. Shapes follow TransformerLens
 * without the batch axis: [pos, d_model] for the residual stream, [pos, head, d_head] for q/k/v/z, and
 * [head, query_pos, key_pos] for attention patterns (transposed from the engine's row-major [pos][head][key]).
 */
public final class ActivationCache {
    private final ModelConfig config;
    private final int positions;
    private final Map<String, CachedActivation> entries = new LinkedHashMap<>();

    public ActivationCache(ModelConfig config, int positions) {
        this.config = config;
        this.positions = positions;
    }

    public int positions() {
        return positions;
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    public Map<String, CachedActivation> entries() {
        return Collections.unmodifiableMap(entries);
    }

    public CachedActivation get(String name) {
        CachedActivation a = entries.get(name);
        if (a == null) throw new LoupeException("activation '" + name + "' was not cached (cached: " + String.join(", ", entries.keySet()) + ")");
        return a;
    }

    public boolean has(String name) {
        return entries.containsKey(name);
    }

    public void put(String name, CachedActivation a) {
        entries.put(name, a);
    }

    /** A hook that copies each activation it sees into this cache (rows land at their sequence positions). */
    public Hook recorder() {
        return (point, t) -> {
            String name = point.name();
            HookSite site = point.site();
            if (site == HookSite.ATTN_PATTERN) {
                int heads = t.heads(), keys = t.headWidth();
                CachedActivation a = entries.computeIfAbsent(name, n -> new CachedActivation(new int[]{heads, positions, positions}));
                for (int r = 0; r < t.rows(); r++) {
                    int p = t.position(r);
                    for (int h = 0; h < heads; h++) {
                        System.arraycopy(t.data(), t.offset(r) + h * keys, a.data(), (h * positions + p) * positions, Math.min(keys, positions));
                    }
                }
                return;
            }
            int[] shape = isHeadSite(site)
                    ? new int[]{positions, t.heads(), t.headWidth()}
                    : new int[]{positions, t.width()};
            CachedActivation a = entries.computeIfAbsent(name, n -> new CachedActivation(shape));
            for (int r = 0; r < t.rows(); r++) {
                System.arraycopy(t.data(), t.offset(r), a.data(), t.position(r) * t.width(), t.width());
            }
        };
    }

    private static boolean isHeadSite(HookSite s) {
        return switch (s) {
            case ATTN_Q, ATTN_K, ATTN_V, ATTN_ROT_Q, ATTN_ROT_K, ATTN_Z -> true;
            default -> false;
        };
    }

    public ModelConfig config() {
        return config;
    }
}
