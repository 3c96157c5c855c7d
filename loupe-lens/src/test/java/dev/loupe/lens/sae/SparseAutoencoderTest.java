package dev.loupe.lens.sae;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class SparseAutoencoderTest {

    @Test
    void gradientMatchesFiniteDifferences() {
        for (int topK : new int[] {0, 3}) {
            SparseAutoencoder sae = SparseAutoencoder.random(5, 7, topK, 1);
            Random r = new Random(2);
            for (int i = 0; i < sae.params().length; i++) sae.params()[i] += 0.1f * (float) r.nextGaussian();
            float[] x = new float[4 * 5];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            float[] g = new float[sae.params().length];
            SaeLoss loss = new SaeLoss(sae);
            loss.loss(x, 0, 4, 0.3f, g);
            int checked = 0;
            for (int i = 0; i < g.length; i++) {
                float keep = sae.params()[i];
                float h = 2e-3f;
                sae.params()[i] = keep + h;
                double up = loss.loss(x, 0, 4, 0.3f, null);
                sae.params()[i] = keep - h;
                double down = loss.loss(x, 0, 4, 0.3f, null);
                sae.params()[i] = keep;
                double fd = (up - down) / (2 * h);
                // a kink (a pre-activation crossing 0 or the top-k boundary) within ±h makes FD meaningless there
                double mid = loss.loss(x, 0, 4, 0.3f, null);
                if (Math.abs((up - mid) - (mid - down)) / h > 1e-2) continue; // one-sided slopes disagree: a kink

                assertEquals(fd, g[i], 2e-2 * Math.max(1, Math.abs(fd)), "param " + i + " topK " + topK);
                checked++;
            }
            assertTrue(checked > g.length * 0.75, "checked " + checked + " of " + g.length);
        }
    }

    @Test
    void identityDictionaryReconstructsExactly() {
        // features ±e_j: f = [relu(x), relu(-x)], so W_dec f = relu(x) - relu(-x) = x for any x
        int d = 6, m = 2 * d;
        SparseAutoencoder sae = new SparseAutoencoder(d, m, 0);
        float[] p = sae.params();
        for (int j = 0; j < d; j++) {
            p[sae.wEnc() + j * d + j] = 1;
            p[sae.wEnc() + (d + j) * d + j] = -1;
            p[sae.wDec() + j * d + j] = 1;
            p[sae.wDec() + (d + j) * d + j] = -1;
        }
        float[] x = {0.5f, -2f, 3.25f, 0f, -0.125f, 7f};
        float[] y = x.clone();
        sae.reconstructInPlace(y, 1);
        assertArrayEquals(x, y, 0f);
        SaeMetrics metrics = SaeMetrics.of(sae, x, 1);
        assertEquals(0, metrics.mse(), 0);
        assertEquals(5, metrics.l0(), 0); // the zero entry activates neither of its features
    }

    @Test
    void recoversKnownSparseDirections() {
        int d = 16, k = 8, rows = 4000;
        Random r = new Random(7);
        float[][] truth = new float[k][d];
        for (float[] v : truth) {
            double n = 0;
            for (int j = 0; j < d; j++) {
                v[j] = (float) r.nextGaussian();
                n += v[j] * v[j];
            }
            for (int j = 0; j < d; j++) v[j] /= (float) Math.sqrt(n);
        }
        float[] x = new float[rows * d];
        for (int row = 0; row < rows; row++) {
            for (int i = 0; i < k; i++) {
                if (r.nextDouble() > 0.15) continue;
                float a = 1 + r.nextFloat();
                for (int j = 0; j < d; j++) x[row * d + j] += a * truth[i][j];
            }
        }
        SparseAutoencoder sae = SparseAutoencoder.random(d, 16, 0, 3);
        SaeTrainer.train(sae, x, rows, new SaeTrainer.Options(0.05f, 3e-3f, 64, 3000, 5), null);
        for (int i = 0; i < k; i++) {
            double best = -1;
            for (int f = 0; f < sae.features(); f++) {
                float[] dir = sae.direction(f);
                double c = 0;
                for (int j = 0; j < d; j++) c += dir[j] * truth[i][j];
                best = Math.max(best, c);
            }
            assertTrue(best > 0.9, "direction " + i + " best cosine " + best);
        }
        SaeMetrics m = SaeMetrics.of(sae, x, rows);
        assertTrue(m.varianceExplained() > 0.9, "variance explained " + m.varianceExplained());
        assertTrue(m.l0() < 4, "L0 " + m.l0()); // the data has 1.2 active directions per row on average
    }

    @Test
    void saveLoadRoundTrips(@TempDir Path dir) {
        SparseAutoencoder sae = SparseAutoencoder.random(4, 9, 2, 11);
        sae.params()[sae.bDec()] = 0.25f;
        Path f = dir.resolve("sae.safetensors");
        SaeFile.save(f, sae, "blocks.1.hook_resid_post", Map.of("model", "m.gguf"));
        SaeFile.Loaded back = SaeFile.load(f);
        assertEquals("blocks.1.hook_resid_post", back.hook());
        assertEquals("m.gguf", back.metadata().get("model"));
        assertEquals(2, back.sae().topK());
        assertArrayEquals(sae.params(), back.sae().params(), 0f);
    }
}
