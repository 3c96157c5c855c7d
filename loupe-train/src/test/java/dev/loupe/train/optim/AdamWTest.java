package dev.loupe.train.optim;

import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.nn.ParamLayout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AdamWTest {
    final LlamaConfig c = new LlamaConfig(5, 4, 1, 2, 1, 6, 8, 10000f, 1e-5f, true);
    final ParamLayout layout = new ParamLayout(c);

    @Test
    void oneStepMatchesHandComputedAdamW() {
        AdamWConfig cfg = new AdamWConfig(0.01f, 0.9f, 0.95f, 1e-8f, 0.1f, 0, 100, 0.1f, 0f);
        AdamW opt = new AdamW(cfg, layout);
        float[] p = new float[layout.size], g = new float[layout.size];
        for (int i = 0; i < p.length; i++) {
            p[i] = 0.5f - 0.01f * (i % 37);
            g[i] = 0.03f * ((i * 7) % 11 - 5);
        }
        float[] before = p.clone();
        opt.update(p, g);
        double lr = cfg.learningRate(0);
        assertThat(lr).isCloseTo(0.01, within(1e-9));
        for (ParamLayout.Tensor t : layout.tensors()) {
            double wd = t.kind() == ParamLayout.Kind.MATRIX ? 0.1 : 0.0;
            for (int i = t.offset(); i < t.offset() + t.size(); i++) {
                // Step 1: m = (1-b1) g, v = (1-b2) g^2; bias correction makes mHat = g, vHat = g^2.
                double m = (1 - 0.9) * g[i], v = (1 - 0.95) * g[i] * (double) g[i];
                double mHat = m / (1 - 0.9), vHat = v / (1 - 0.95);
                double expected = before[i] - lr * (mHat / (Math.sqrt(vHat) + 1e-8) + wd * before[i]);
                assertThat((double) p[i]).as("%s", t.name()).isCloseTo(expected, within(1e-6));
            }
        }
    }

    @Test
    void clipsTheGlobalNorm() {
        AdamWConfig cfg = new AdamWConfig(0.01f, 0.9f, 0.95f, 1e-8f, 0f, 0, 100, 0.1f, 1.0f);
        AdamW opt = new AdamW(cfg, layout);
        float[] p = new float[layout.size], g = new float[layout.size];
        java.util.Arrays.fill(g, 3f);
        double norm = opt.update(p, g);
        assertThat(norm).isCloseTo(3 * Math.sqrt(layout.size), within(1e-3));
        // m holds (1 - b1) * clipped g: the clipped gradient has norm 1.
        assertThat(AdamW.norm(opt.m) / 0.1).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void warmupThenCosine() {
        AdamWConfig cfg = AdamWConfig.defaults(1e-3f, 10, 110);
        assertThat(cfg.learningRate(0)).isCloseTo(1e-4, within(1e-9));
        assertThat(cfg.learningRate(9)).isCloseTo(1e-3, within(1e-9));
        assertThat(cfg.learningRate(10)).isCloseTo(1e-3, within(1e-9));
        assertThat(cfg.learningRate(60)).isCloseTo(0.55e-3, within(1e-9));
        assertThat(cfg.learningRate(110)).isCloseTo(1e-4, within(1e-9));
        assertThat(cfg.learningRate(500)).isCloseTo(1e-4, within(1e-9));
    }
}
