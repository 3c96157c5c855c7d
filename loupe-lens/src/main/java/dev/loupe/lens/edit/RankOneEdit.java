package dev.loupe.lens.edit;

import dev.loupe.core.hook.HookPoint;
import dev.loupe.core.hook.HookSite;
import dev.loupe.core.hook.Hooks;

/**
 * The edit W' = W + delta · uᵀ of layer {@code layer}'s MLP down-projection (W: d_ff → d_model), applied as hooks
 * instead of a new weight tensor: the engine's weights are mmapped, read-only and often quantized, and a hook
 * costs one dot product and one axpy per row where an F32 copy of ffn_down would cost d_model × d_ff floats and a
 * second matmul path. At {@code blocks.L.mlp.hook_post} (the input k of W_down) the hook records s = u·k per row;
 * at {@code blocks.L.hook_mlp_out} it adds s · delta, which is exactly (W' - W) k. The model's weights are never
 * written. Valid for architectures without a norm after the FFN (checked by {@link Rome}).
 *
 * @param u     C⁻¹k* / (k*ᵀ C⁻¹ k*), length d_ff, so u·k* = 1
 * @param delta v* - W k*, length d_model
 */
public record RankOneEdit(int layer, float[] u, float[] delta) {

    /** Adds the edit's two hooks to {@code hooks} and returns it. */
    public Hooks install(Hooks hooks) {
        float[][] scale = {new float[0]};
        int ff = u.length, dm = delta.length;
        hooks.add(HookPoint.of(HookSite.MLP_POST, layer), (p, t) -> {
            if (scale[0].length < t.rows()) scale[0] = new float[t.rows()];
            float[] x = t.data();
            for (int r = 0; r < t.rows(); r++) {
                int o = t.offset(r);
                double s = 0;
                for (int j = 0; j < ff; j++) s += (double) u[j] * x[o + j];
                scale[0][r] = (float) s;
            }
        });
        hooks.add(HookPoint.of(HookSite.MLP_OUT, layer), (p, t) -> {
            float[] y = t.data();
            for (int r = 0; r < t.rows(); r++) {
                int o = t.offset(r);
                float s = scale[0][r];
                for (int j = 0; j < dm; j++) y[o + j] += s * delta[j];
            }
        });
        return hooks;
    }
}
