package dev.loupe.train;

import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.train.bpe.BpeEncoder;
import dev.loupe.train.bpe.BpeTrainer;
import dev.loupe.train.bpe.Corpus;
import dev.loupe.train.data.TokenData;
import dev.loupe.train.io.Checkpoint;
import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.optim.AdamW;
import dev.loupe.train.optim.AdamWConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class TrainingTest {
    static final ThreadPool POOL = new ThreadPool(1); // tiny shapes: a second thread costs more in hand-offs than it saves

    @AfterAll
    static void close() {
        POOL.close();
    }

    private static TokenData syntheticData(int vocab) {
        SplitMix64 r = new SplitMix64(5);
        int[] train = new int[4000], val = new int[500];
        for (int i = 0; i < train.length; i++) train[i] = r.nextInt(vocab);
        for (int i = 0; i < val.length; i++) val[i] = r.nextInt(vocab);
        return new TokenData(train, val, 12000, 1500);
    }

    private static Trainer trainer(LlamaConfig c, TokenData data, int B, int T, AdamWConfig cfg, int accumulation) {
        LlamaModel m = new LlamaModel(c, B, T, POOL);
        m.initialize(1);
        return new Trainer(m, new AdamW(cfg, m.layout()), data, 99, accumulation);
    }

    @Test
    void overfitsOneBatch() {
        LlamaConfig c = new LlamaConfig(32, 32, 2, 4, 2, 64, 16, 10000f, 1e-5f, false);
        LlamaModel m = new LlamaModel(c, 2, 16, POOL);
        m.initialize(1);
        AdamW opt = new AdamW(new AdamWConfig(3e-3f, 0.9f, 0.95f, 1e-8f, 0f, 10, 300, 1f, 1f), m.layout());
        SplitMix64 r = new SplitMix64(3);
        int[] tokens = new int[32], targets = new int[32];
        for (int i = 0; i < 32; i++) {
            tokens[i] = r.nextInt(32);
            targets[i] = r.nextInt(32);
        }
        double first = 0, loss = 0;
        for (int s = 0; s < 300; s++) {
            m.zeroGrad();
            loss = m.forward(tokens, targets, false);
            if (s == 0) first = loss;
            m.backward(1f);
            opt.update(m.params, m.grads);
        }
        assertThat(first).isCloseTo(Math.log(32), org.assertj.core.api.Assertions.within(0.1));
        assertThat(loss).as("loss after 300 steps on one batch").isLessThan(0.05);
    }

    @Test
    void resumesBitForBit(@TempDir Path dir) {
        LlamaConfig c = new LlamaConfig(40, 16, 2, 4, 2, 32, 16, 10000f, 1e-5f, true);
        AdamWConfig cfg = AdamWConfig.defaults(1e-3f, 3, 10);
        TokenData data = syntheticData(40);
        Trainer straight = trainer(c, data, 2, 16, cfg, 2);
        for (int i = 0; i < 10; i++) straight.step();

        Trainer first = trainer(c, data, 2, 16, cfg, 2);
        for (int i = 0; i < 5; i++) first.step();
        Path ckpt = dir.resolve("run.ckpt");
        Checkpoint.save(first, ckpt);
        for (int i = 0; i < 3; i++) first.step(); // diverges from the checkpoint; must not matter
        Trainer resumed = trainer(c, data, 2, 16, cfg, 2);
        Checkpoint.load(resumed, ckpt);
        assertThat(resumed.optimizer().step()).isEqualTo(5);
        for (int i = 0; i < 5; i++) resumed.step();

        assertThat(resumed.model().params).containsExactly(straight.model().params);
        assertThat(resumed.optimizer().m).containsExactly(straight.optimizer().m);
        assertThat(resumed.optimizer().v).containsExactly(straight.optimizer().v);
        assertThat(resumed.rng().state()).isEqualTo(straight.rng().state());
    }

    @Test
    void lossFallsOnShakespeare() {
        String text = Corpus.read(TestData.shakespeare());
        BpeEncoder enc = new BpeEncoder(new BpeTrainer(384).train(text.substring(0, 200_000)));
        TokenData data = new TokenData(text, enc);
        LlamaConfig c = new LlamaConfig(384, 48, 2, 4, 2, 128, 32, 10000f, 1e-5f, true);
        Trainer t = trainer(c, data, 8, 32, AdamWConfig.defaults(3e-3f, 20, 300), 1);
        double before = t.validate(4);
        double last = 0;
        for (int i = 0; i < 300; i++) last = t.step().loss();
        double after = t.validate(4);
        assertThat(before).isCloseTo(Math.log(384), org.assertj.core.api.Assertions.within(0.2));
        assertThat(after).as("validation loss %s -> %s (last train loss %s)", before, after, last).isLessThan(0.7 * before);
        assertThat(data.natsPerChar(after)).isLessThan(data.natsPerChar(before));
    }
}
