package dev.loupe.core.sample;

/**
 * The tokens still in the running and their logits, like llama.cpp's {@code llama_token_data_array}: parallel
 * arrays, a size that truncation shrinks, and whether they are sorted by descending logit. Buffers are allocated
 * once per vocabulary size and reused for every token.
 */
final class Candidates {
    int[] ids = new int[0];
    float[] logits = new float[0];
    /** Probabilities, valid after {@link #softmax()}. */
    float[] probs = new float[0];
    int size;
    boolean sorted;

    // Scratch for selection: a heap while selecting, the sorted result afterwards.
    private int[] heapIds = new int[0];
    private float[] heapLogits = new float[0];

    /** Loads all of {@code source} as candidates (id i has logit source[i]). */
    void reset(float[] source, int n) {
        if (ids.length < n) {
            ids = new int[n];
            logits = new float[n];
            probs = new float[n];
            heapIds = new int[n];
            heapLogits = new float[n];
        }
        for (int i = 0; i < n; i++) ids[i] = i;
        System.arraycopy(source, 0, logits, 0, n);
        size = n;
        sorted = false;
    }

    /** Softmax over the current candidates, in float as llama.cpp does so cut-offs land on the same tokens. */
    void softmax() {
        float max = maxLogit();
        float sum = 0f;
        for (int i = 0; i < size; i++) {
            float p = (float) Math.exp(logits[i] - max);
            probs[i] = p;
            sum += p;
        }
        for (int i = 0; i < size; i++) probs[i] /= sum;
    }

    float maxLogit() {
        if (sorted) return logits[0];
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) max = Math.max(max, logits[i]);
        return max;
    }

    /**
     * Moves the {@code m} best candidates to the front in descending order (ties: lower id first) and drops the
     * rest. A bounded min-heap makes this O(n log m), so top-k over a 128k vocabulary never sorts all of it.
     */
    void keepTop(int m) {
        m = Math.min(m, size);
        if (sorted) {
            size = m;
            return;
        }
        int h = 0;
        for (int i = 0; i < size; i++) {
            int id = ids[i];
            float v = logits[i];
            if (h < m) {
                heapIds[h] = id;
                heapLogits[h] = v;
                siftUp(h++);
            } else if (better(v, id, heapLogits[0], heapIds[0])) {
                heapIds[0] = id;
                heapLogits[0] = v;
                siftDown(0, h);
            }
        }
        // Pop the worst first, filling the front from the back.
        for (int out = h - 1; out >= 0; out--) {
            ids[out] = heapIds[0];
            logits[out] = heapLogits[0];
            heapIds[0] = heapIds[out];
            heapLogits[0] = heapLogits[out];
            siftDown(0, out);
        }
        size = h;
        sorted = true;
    }

    /** Keeps candidates (in order) whose logit is at least {@code min}; sortedness is preserved. */
    void keepAtLeast(float min) {
        int j = 0;
        for (int i = 0; i < size; i++) {
            if (logits[i] >= min) {
                ids[j] = ids[i];
                logits[j] = logits[i];
                j++;
            }
        }
        size = j;
    }

    private static boolean better(float v, int id, float w, int wid) {
        return v > w || (v == w && id < wid);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!better(heapLogits[parent], heapIds[parent], heapLogits[i], heapIds[i])) break;
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i, int n) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= n) return;
            int r = l + 1;
            int worst = r < n && better(heapLogits[l], heapIds[l], heapLogits[r], heapIds[r]) ? r : l;
            if (!better(heapLogits[i], heapIds[i], heapLogits[worst], heapIds[worst])) return;
            swap(i, worst);
            i = worst;
        }
    }

    private void swap(int a, int b) {
        int ti = heapIds[a];
        heapIds[a] = heapIds[b];
        heapIds[b] = ti;
        float tv = heapLogits[a];
        heapLogits[a] = heapLogits[b];
        heapLogits[b] = tv;
    }
}
