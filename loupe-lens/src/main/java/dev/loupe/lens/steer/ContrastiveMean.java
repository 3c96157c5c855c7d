package dev.loupe.lens.steer;

import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.HookPoint;
import dev.loupe.lens.HookedModel;

import java.util.List;
import java.util.function.IntConsumer;

/**
 * The contrastive mean difference (activation addition, CAA): mean activation at one hook point over positive
 * prompts minus the mean over negative prompts. Each prompt contributes one d_model row: its last position's
 * activation (where the model is about to continue, as CAA reads it) or the mean over its positions. Sums are kept
 * in double so the order of prompts barely matters.
 */
public final class ContrastiveMean {
    public enum Reduce { LAST, MEAN }

    private ContrastiveMean() {}

    /** @param progress told after each prompt (the count so far); may be null */
    public static float[] of(HookedModel hm, List<int[]> positive, List<int[]> negative, HookPoint point, Reduce reduce,
                             IntConsumer progress) {
        if (positive.isEmpty() || negative.isEmpty()) throw new LoupeException("need at least one positive and one negative prompt");
        double[] pos = mean(hm, positive, point, reduce, progress, 0);
        double[] neg = mean(hm, negative, point, reduce, progress, positive.size());
        float[] out = new float[pos.length];
        for (int i = 0; i < out.length; i++) out[i] = (float) (pos[i] - neg[i]);
        return out;
    }

    /** The mean over prompts of each prompt's reduced activation row at {@code point}. */
    static double[] mean(HookedModel hm, List<int[]> prompts, HookPoint point, Reduce reduce, IntConsumer progress, int done) {
        int d = hm.config().dim();
        double[] sum = new double[d];
        String name = point.name();
        for (int[] ids : prompts) {
            float[] a = hm.runWithCache(ids, name::equals).cache().get(name).data();
            int rows = ids.length;
            if (reduce == Reduce.LAST) {
                for (int i = 0; i < d; i++) sum[i] += a[(rows - 1) * d + i];
            } else {
                for (int r = 0; r < rows; r++) for (int i = 0; i < d; i++) sum[i] += (double) a[r * d + i] / rows;
            }
            if (progress != null) progress.accept(++done);
        }
        for (int i = 0; i < d; i++) sum[i] /= prompts.size();
        return sum;
    }
}
