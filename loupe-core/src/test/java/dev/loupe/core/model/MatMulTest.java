package dev.loupe.core.model;

import dev.loupe.core.Fixtures;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Matrices of one input run together (one conversion, one pool run over all their rows) must give exactly what each
 * run alone gives: with kernels of different types and layouts in one run, with pool chunks that span two matrices,
 * and when the inputs convert differently and the run falls back to one matrix at a time.
 */
class MatMulTest {

    @Test
    void matricesOfOneInputRunTogetherGiveTheBitsOfEachAlone() {
        try (GgufFile q4 = GgufFile.open(Fixtures.model("tiny-llama-q4_0.gguf"));
             GgufFile q8 = GgufFile.open(Fixtures.model("tiny-llama-q8_0.gguf"));
             GgufFile f16 = GgufFile.open(Fixtures.model("tiny-llama-f16.gguf"));
             GgufFile k = GgufFile.open(Fixtures.model("small-llama-q4_k_m.gguf"))) {
            LayerWeights a = layer0(q4), b = layer0(q8), c = layer0(f16), d = layer0(k);
            assertThat(a.wq().groups()).as("the Q4_0 fixture is repacked").isNotNull();
            assertThat(b.wk().groups()).as("Q8_0 stays in rows").isNull();
            for (int threads : new int[] {1, 2, 3}) {
                try (ThreadPool pool = new ThreadPool(threads)) {
                    MatMul m = new MatMul(pool);
                    for (int batch : new int[] {1, 2, 5}) {
                        // Row groups and rows, Q4_0 and Q8_0 kernels, in one run (all convert the input to Q8_0).
                        check(m, batch, a.wq(), b.wk(), a.wv());
                        // An F16 matrix converts its input otherwise: one at a time.
                        check(m, batch, a.wq(), c.wk(), b.wv());
                        check(m, batch, d.wq(), d.wk(), d.wv());
                        check(m, batch, d.gate(), d.up(), null);
                        check(m, batch, a.gate(), b.up(), null);
                    }
                }
            }
        }
    }

    private static void check(MatMul m, int batch, Tensor w0, Tensor w1, Tensor w2) {
        int cols = w0.cols();
        float[] x = new float[batch * cols];
        Random r = new Random(batch * 31L + cols);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        Tensor[] ws = {w0, w1, w2};
        float[][] alone = new float[3][], together = new float[3][];
        for (int i = 0; i < 3; i++) {
            if (ws[i] == null) continue;
            alone[i] = new float[batch * ws[i].rows()];
            together[i] = new float[batch * ws[i].rows()];
            m.apply(ws[i], x, batch, alone[i]);
        }
        m.apply(x, batch, w0, together[0], w1, together[1], w2, together[2]);
        for (int i = 0; i < 3; i++) {
            if (ws[i] == null) continue;
            assertThat(together[i]).as("matrix %d (%s), batch %d", i, ws[i].type(), batch).containsExactly(alone[i]);
            assertThat(alone[i]).as("computed something").isNotEqualTo(new float[alone[i].length]);
        }
    }

    private static LayerWeights layer0(GgufFile f) {
        ModelConfig c = ModelConfig.fromMetadata(f.metadata(), Math.toIntExact(f.tensor("token_embd.weight").shape()[1]));
        try (Regrouper g = new Regrouper(f, null)) {
            return Weights.load(f, c, g).layers()[0];
        }
    }
}
