package dev.loupe.train.finetune;

import dev.loupe.core.LoupeException;
import dev.loupe.core.lora.LoraTarget;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.nn.Lora;
import dev.loupe.train.optim.AdamW;
import dev.loupe.train.optim.AdamWConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A fine-tuning run resumed from a checkpoint continues as the uninterrupted run (LoRA SFT and full DPO), and checkpoints do not mix. */
class FineTuneResumeTest {
    static final ThreadPool POOL = new ThreadPool(1);
    static final LlamaConfig C = new LlamaConfig(16, 16, 1, 2, 1, 32, 12, 10000f, 1e-5f, true);
    static final AdamWConfig CFG = AdamWConfig.defaults(1e-2f, 2, 8);
    static final List<MaskedSequence> CHATS = List.of(DpoTest.seq(new int[]{1, 2, 3, 4, 5, 6}, 3), DpoTest.seq(new int[]{7, 8, 9, 10}, 2));
    static final List<PreferencePair> PAIRS = List.of(new PreferencePair(CHATS.get(0), DpoTest.seq(new int[]{1, 2, 3, 3, 3, 3}, 3)),
            new PreferencePair(CHATS.get(1), DpoTest.seq(new int[]{7, 8, 7, 7}, 2)));

    @AfterAll
    static void close() {
        POOL.close();
    }

    static LlamaModel base(boolean lora) {
        LlamaModel m = new LlamaModel(C, 2, 8, POOL);
        m.initialize(9);
        if (lora) m.attachLora(new Lora.Config(2, 4f, EnumSet.of(LoraTarget.ATTN_Q, LoraTarget.FFN_DOWN))).initialize(3);
        return m;
    }

    static FineTuner sft(boolean unused) {
        LlamaModel m = base(true);
        return new SftTrainer(m, new AdamW(CFG, m.lora().params.length), CHATS, 5, 2);
    }

    static FineTuner dpo(boolean unused) {
        LlamaModel m = base(false);
        return new DpoTrainer(m, new AdamW(CFG, m.layout()), PAIRS, 0.5, 5, 1);
    }

    @Test
    void loraSftResumes(@TempDir Path dir) {
        resumes(FineTuneResumeTest::sft, dir.resolve("sft.ckpt"));
    }

    @Test
    void dpoResumes(@TempDir Path dir) {
        resumes(FineTuneResumeTest::dpo, dir.resolve("dpo.ckpt"));
    }

    @Test
    void aCheckpointOfAnotherRunIsRefused(@TempDir Path dir) {
        Path ckpt = dir.resolve("sft.ckpt");
        sft(true).saveCheckpoint(ckpt);
        assertThatThrownBy(() -> dpo(true).loadCheckpoint(ckpt)).isInstanceOf(LoupeException.class).hasMessageContaining("is of a 'sft lora r=2");
    }

    private static void resumes(Function<Boolean, FineTuner> make, Path ckpt) {
        FineTuner straight = make.apply(true);
        for (int i = 0; i < 6; i++) straight.step();
        FineTuner first = make.apply(true);
        for (int i = 0; i < 3; i++) first.step();
        first.saveCheckpoint(ckpt);
        float[] saved = FineTuner.trainable(first.model()).clone();
        first.step(); // moves on past the checkpoint; must not matter
        FineTuner resumed = make.apply(true);
        resumed.loadCheckpoint(ckpt);
        assertThat(resumed.optimizer().step()).isEqualTo(3);
        assertThat(Arrays.equals(FineTuner.trainable(resumed.model()), saved)).as("restored").isTrue();
        for (int i = 0; i < 3; i++) resumed.step();
        // Bit for bit: every kernel's arithmetic is fixed (FMA chains in a fixed order, no lane reductions), whatever
        // the JIT has compiled by then; the straight run here starts colder than the resumed one.
        assertThat(FineTuner.trainable(resumed.model())).containsExactly(FineTuner.trainable(straight.model()));
        assertThat(resumed.optimizer().m).containsExactly(straight.optimizer().m);
        assertThat(resumed.optimizer().v).containsExactly(straight.optimizer().v);
        assertThat(maxDiff(FineTuner.trainable(resumed.model()), FineTuner.trainable(make.apply(true).model()))).as("training moved the parameters").isGreaterThan(1e-3f);
    }

    private static float maxDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
