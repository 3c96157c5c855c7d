package dev.loupe.lens.ablate;

import dev.loupe.core.hook.Hook;

/** Hooks that overwrite a slice [from, to) of every row (or of one position's row) of an activation. */
public final class SliceHooks {
    private SliceHooks() {}

    /** All positions: the slice becomes {@code value[0, to-from)} (zeros for zero-ablation, a mean for mean-ablation). */
    public static Hook fill(int from, int to, float[] value) {
        return (p, t) -> {
            for (int r = 0; r < t.rows(); r++) System.arraycopy(value, 0, t.data(), t.offset(r) + from, to - from);
        };
    }

    /**
     * The slice of the row at sequence position {@code position} (every position when -1) is copied from
     * {@code source}, an activation cached from another run, laid out [pos][width].
     */
    public static Hook copyFrom(float[] source, int position, int from, int to) {
        return (p, t) -> {
            for (int r = 0; r < t.rows(); r++) {
                int pos = t.position(r);
                if (position >= 0 && pos != position) continue;
                System.arraycopy(source, pos * t.width() + from, t.data(), t.offset(r) + from, to - from);
            }
        };
    }
}
