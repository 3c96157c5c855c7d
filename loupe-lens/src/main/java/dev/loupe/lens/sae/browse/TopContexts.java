package dev.loupe.lens.sae.browse;

import java.util.ArrayList;
import java.util.List;

/**
 * The k best contexts of every feature, kept in one bounded min-heap per feature so memory stays flat however long
 * the corpus is: m × k slots, each holding a window of tokens and the feature's activation on each of them. A
 * sequence offers at most one candidate per feature (its strongest token), so the k contexts are k different
 * sequences. Order: higher activation first, ties to the earlier sequence, then the earlier position. All storage is
 * allocated up front; {@link #offer} copies a window into a slot and swaps slot indices, never allocating.
 */
public final class TopContexts {
    private final int features, k, before, after, window;
    private final int[] size;        // heap size per feature
    private final int[] heap;        // [m][k] slot numbers (0..k-1), a min-heap: the worst context at the root
    private final float[] value;     // [m][k] by slot
    private final int[] sequence, position, start, length;   // [m][k] by slot; start = window's first position
    private final int[] tokens;      // [m][k][window]
    private final float[] acts;      // [m][k][window]

    /** Keeps {@code k} contexts per feature, each {@code before} tokens before the strongest token to {@code after} after. */
    public TopContexts(int features, int k, int before, int after) {
        if (k < 1 || before < 0 || after < 0) throw new IllegalArgumentException("k must be at least 1 and the window sides non-negative");
        this.features = features;
        this.k = k;
        this.before = before;
        this.after = after;
        this.window = before + 1 + after;
        this.size = new int[features];
        this.heap = new int[features * k];
        this.value = new float[features * k];
        this.sequence = new int[features * k];
        this.position = new int[features * k];
        this.start = new int[features * k];
        this.length = new int[features * k];
        this.tokens = new int[features * k * window];
        this.acts = new float[features * k * window];
    }

    /** One context: the window's tokens and activations, and where in it the strongest token sits. */
    public record Context(int sequence, int position, float value, int[] tokens, float[] activations, int center) {}

    /**
     * Offers feature {@code f}'s strongest token of sequence {@code seq}: at {@code pos} with activation {@code v}.
     * {@code toks} are the sequence's tokens [0, n), {@code a} its feature activations [n][stride] (feature f at
     * column f); the window is clipped to [{@code from}, n) so a BOS left out of the statistics stays out here too.
     */
    public void offer(int f, float v, int seq, int pos, int[] toks, float[] a, int n, int stride, int from) {
        int base = f * k, s;
        if (size[f] < k) {
            s = size[f]++;
            heap[base + s] = s;
            store(f, s, v, seq, pos, toks, a, n, stride, from);
            siftUp(f, s);
        } else {
            int root = heap[base];
            if (!better(v, seq, pos, value[base + root], sequence[base + root], position[base + root])) return;
            store(f, root, v, seq, pos, toks, a, n, stride, from);
            siftDown(f, 0);
        }
    }

    /** Feature f's contexts, best first. */
    public List<Context> contexts(int f) {
        int base = f * k;
        Integer[] slots = new Integer[size[f]];
        for (int i = 0; i < slots.length; i++) slots[i] = heap[base + i];
        java.util.Arrays.sort(slots, (x, y) -> better(base + x, base + y) ? -1 : better(base + y, base + x) ? 1 : 0);
        List<Context> out = new ArrayList<>(slots.length);
        for (int s : slots) {
            int i = base + s, w = i * window, len = length[i];
            out.add(new Context(sequence[i], position[i], value[i], java.util.Arrays.copyOfRange(tokens, w, w + len),
                    java.util.Arrays.copyOfRange(acts, w, w + len), position[i] - start[i]));
        }
        return out;
    }

    public int features() {
        return features;
    }

    private void store(int f, int s, float v, int seq, int pos, int[] toks, float[] a, int n, int stride, int from) {
        int i = f * k + s, lo = Math.max(from, pos - before), hi = Math.min(n, pos + after + 1), w = i * window;
        value[i] = v;
        sequence[i] = seq;
        position[i] = pos;
        start[i] = lo;
        length[i] = hi - lo;
        for (int p = lo; p < hi; p++) {
            tokens[w + p - lo] = toks[p];
            acts[w + p - lo] = a[p * stride + f];
        }
    }

    private static boolean better(float v, int seq, int pos, float v2, int seq2, int pos2) {
        if (v != v2) return v > v2;
        if (seq != seq2) return seq < seq2;
        return pos < pos2;
    }

    private boolean better(int i, int j) {
        return better(value[i], sequence[i], position[i], value[j], sequence[j], position[j]);
    }

    private void siftUp(int f, int at) {
        int base = f * k;
        while (at > 0) {
            int parent = (at - 1) / 2;
            if (!better(base + heap[base + parent], base + heap[base + at])) return;  // parent must be the worse one
            swap(base, at, parent);
            at = parent;
        }
    }

    private void siftDown(int f, int at) {
        int base = f * k, n = size[f];
        while (true) {
            int l = 2 * at + 1, r = l + 1, worst = at;
            if (l < n && better(base + heap[base + worst], base + heap[base + l])) worst = l;
            if (r < n && better(base + heap[base + worst], base + heap[base + r])) worst = r;
            if (worst == at) return;
            swap(base, at, worst);
            at = worst;
        }
    }

    private void swap(int base, int a, int b) {
        int t = heap[base + a];
        heap[base + a] = heap[base + b];
        heap[base + b] = t;
    }
}
