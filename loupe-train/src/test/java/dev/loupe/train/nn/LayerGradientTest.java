package dev.loupe.train.nn;

import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.train.SplitMix64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.loupe.train.nn.GradCheck.check;
import static dev.loupe.train.nn.GradCheck.random;
import static dev.loupe.train.nn.GradCheck.weighted;

/** Every layer's backward pass against central differences of its forward pass (loss = sum(r * y), r random). */
class LayerGradientTest {
    static final ThreadPool POOL = new ThreadPool(1); // tiny shapes: a second thread costs more in hand-offs than it saves
    final SplitMix64 rng = new SplitMix64(42);

    @AfterAll
    static void close() {
        POOL.close();
    }

    @Test
    void matmul() {
        int n = 3, in = 5, out = 4;
        float[] x = random(rng, n * in, 1), w = random(rng, 2 + out * in, 1), r = random(rng, n * out, 1), y = new float[n * out];
        MatMul mm = new MatMul(POOL);
        float[] dx = new float[n * in], dw = new float[w.length];
        mm.backward(dx, dw, r, x, w, 2, n, in, out);
        java.util.function.DoubleSupplier loss = () -> {
            mm.forward(y, x, w, 2, n, in, out);
            return weighted(y, r, y.length);
        };
        check("dx", x, 0, x.length, dx, 0, loss, 0, 1);
        check("dW", w, 2, out * in, dw, 2, loss, 0, 2);
    }

    @Test
    void rmsnorm() {
        int n = 3, d = 6;
        float[] x = random(rng, n * d, 1), w = random(rng, d, 1), r = random(rng, n * d, 1), y = new float[n * d], rstd = new float[n];
        Norm.forward(y, rstd, x, w, 0, n, d, 1e-5f);
        float[] dx = new float[n * d], dw = new float[d];
        Norm.backward(dx, dw, 0, r, x, w, rstd, n, d);
        java.util.function.DoubleSupplier loss = () -> {
            Norm.forward(y, new float[n], x, w, 0, n, d, 1e-5f);
            return weighted(y, r, y.length);
        };
        check("dx", x, 0, x.length, dx, 0, loss, 0, 3);
        check("dw", w, 0, d, dw, 0, loss, 0, 4);
    }

    @Test
    void rope() {
        int heads = 2, hd = 8, T = 5;
        RopeTable rope = new RopeTable(T, hd, 10000f);
        float[] x = random(rng, T * heads * hd, 1), r = random(rng, x.length, 1);
        float[] dx = r.clone();
        for (int t = 0; t < T; t++) rope.rotate(dx, t * heads * hd, heads, t, -1f);
        check("dx", x, 0, x.length, dx, 0, () -> {
            float[] y = x.clone();
            for (int t = 0; t < T; t++) rope.rotate(y, t * heads * hd, heads, t, 1f);
            return weighted(y, r, y.length);
        }, 0, 5);
    }

    @Test
    void swiglu() {
        int n = 12;
        float[] g = random(rng, n, 2), u = random(rng, n, 1), r = random(rng, n, 1), h = new float[n], dg = new float[n], du = new float[n];
        SwiGlu.backward(dg, du, r, g, u, n);
        java.util.function.DoubleSupplier loss = () -> {
            SwiGlu.forward(h, g, u, n);
            return weighted(h, r, n);
        };
        check("dgate", g, 0, n, dg, 0, loss, 0, 6);
        check("dup", u, 0, n, du, 0, loss, 0, 7);
    }

    /** T = 4 is one row tile of the attention kernels; 7 adds a partial tile; hd = 10 uses vector lanes and a scalar tail. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"4,4", "7,4", "9,10"})
    void causalGroupedAttention(int T, int hd) {
        int B = 2, heads = 4, kvHeads = 2, qDim = heads * hd, kvDim = kvHeads * hd;
        Attention a = new Attention(POOL, B, T, heads, kvHeads, hd);
        float[] q = random(rng, B * T * qDim, 1), k = random(rng, B * T * kvDim, 1), v = random(rng, B * T * kvDim, 1);
        float[] r = random(rng, B * T * qDim, 1), out = new float[B * T * qDim], att = new float[B * heads * T * T];
        a.forward(out, att, q, k, v, false);
        float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
        a.backward(dq, dk, dv, r, att, q, k, v);
        java.util.function.DoubleSupplier loss = () -> {
            a.forward(out, att, q, k, v, false);
            return weighted(out, r, out.length);
        };
        check("dq", q, 0, q.length, dq, 0, loss, 0, 8);
        check("dk", k, 0, k.length, dk, 0, loss, 0, 9);
        check("dv", v, 0, v.length, dv, 0, loss, 0, 10);
    }

    @Test
    void crossEntropy() {
        int n = 3, V = 7;
        float[] logits = random(rng, n * V, 2);
        int[] targets = {1, 6, 0};
        CrossEntropy ce = new CrossEntropy(POOL, n);
        float[] grad = logits.clone();
        ce.run(grad, targets, n, V, true, 1f / n);
        check("dlogits", logits, 0, logits.length, grad, 0, () -> ce.run(logits.clone(), targets, n, V, false, 0f), 0, 11);
    }

    @Test
    void wholeModel() {
        LlamaConfig c = new LlamaConfig(11, 8, 2, 2, 1, 12, 6, 10000f, 1e-5f, false);
        checkModel(c);
        checkModel(new LlamaConfig(11, 8, 1, 4, 2, 12, 6, 10000f, 1e-5f, true));
    }

    private void checkModel(LlamaConfig c) {
        int B = 2, T = 5;
        LlamaModel m = new LlamaModel(c, B, T, POOL);
        m.initialize(3);
        // Larger than training's 0.02 so every path carries a gradient well above the finite-difference noise.
        for (ParamLayout.Tensor t : m.layout().tensors()) {
            for (int i = 0; i < t.size(); i++) {
                m.params[t.offset() + i] = t.kind() == ParamLayout.Kind.NORM ? 1f + 0.3f * (float) rng.nextGaussian() : 0.5f * (float) rng.nextGaussian();
            }
        }
        int[] tokens = new int[B * T], targets = new int[B * T];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = rng.nextInt(c.vocab());
            targets[i] = rng.nextInt(c.vocab());
        }
        m.zeroGrad();
        m.forward(tokens, targets, false);
        m.backward(1f);
        float[] g = Arrays.copyOf(m.grads, m.grads.length);
        for (ParamLayout.Tensor t : m.layout().tensors()) {
            check(t.name(), m.params, t.offset(), t.size(), g, t.offset(), () -> m.forward(tokens, targets, false), Math.min(t.size(), 24), t.offset());
        }
    }

    @Test
    void threadCountDoesNotChangeTheBits() {
        LlamaConfig c = new LlamaConfig(11, 16, 1, 4, 2, 24, 8, 10000f, 1e-5f, false);
        int[] tokens = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1, 2, 3, 4, 5}, targets = tokens.clone();
        float[][] grads = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            try (ThreadPool pool = new ThreadPool(threads)) {
                LlamaModel m = new LlamaModel(c, 2, 8, pool);
                m.initialize(5);
                m.zeroGrad();
                m.forward(tokens, targets, false);
                m.backward(1f);
                grads[threads - 1] = m.grads.clone();
            }
        }
        org.assertj.core.api.Assertions.assertThat(grads[1]).containsExactly(grads[0]);
    }
}
