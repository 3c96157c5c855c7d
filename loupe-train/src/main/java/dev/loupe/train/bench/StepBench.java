package dev.loupe.train.bench;

import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.train.SplitMix64;
import dev.loupe.train.Trainer;
import dev.loupe.train.data.TokenData;
import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.optim.AdamW;
import dev.loupe.train.optim.AdamWConfig;
import dev.loupe.core.lora.LoraTarget;
import dev.loupe.train.finetune.MaskedSequence;
import dev.loupe.train.finetune.SftTrainer;
import dev.loupe.train.nn.Lora;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Supplier;

/**
 * Training speed independent of a shared machine's load: steps on one thread ({@code ThreadPool(1)}, so all kernel
 * work runs on the calling thread), timed by that thread's CPU time (no JIT or GC threads), over random tokens.
 * {@code java -cp loupe-cli/target/loupe.jar dev.loupe.train.bench.StepBench SHAPE VOCAB B T WARMUP STEPS [LORA_RANK]};
 * with a LoRA rank, the step is a LoRA SFT step (adapters on all seven matrices of every layer, every target counted).
 */
public final class StepBench {
    private StepBench() {}

    public static void main(String[] a) {
        if (a.length != 6 && a.length != 7) {
            System.err.println("usage: StepBench SHAPE VOCAB BATCH SEQ WARMUP_STEPS STEPS [LORA_RANK]   e.g. dim=192,layers=4,heads=6,kv=2,ffn=512,ctx=128 2048 8 128 3 6");
            System.exit(2);
        }
        LlamaConfig c = LlamaConfig.parse(a[0], Integer.parseInt(a[1]));
        int B = Integer.parseInt(a[2]), T = Integer.parseInt(a[3]), warm = Integer.parseInt(a[4]), steps = Integer.parseInt(a[5]);
        SplitMix64 r = new SplitMix64(1);
        int[] train = new int[200_000], val = new int[20_000];
        for (int i = 0; i < train.length; i++) train[i] = r.nextInt(c.vocab());
        for (int i = 0; i < val.length; i++) val[i] = r.nextInt(c.vocab());
        try (ThreadPool pool = new ThreadPool(1)) {
            LlamaModel m = new LlamaModel(c, B, T, pool);
            m.initialize(1);
            AdamWConfig cfg = AdamWConfig.defaults(1e-3f, 10, 1000);
            Supplier<Trainer.StepResult> step;
            if (a.length == 7) {
                m.attachLora(new Lora.Config(Integer.parseInt(a[6]), 16f, EnumSet.allOf(LoraTarget.class))).initialize(3);
                List<MaskedSequence> seqs = new ArrayList<>();
                for (int s = 0; s + T + 1 <= train.length && seqs.size() < 64; s += T + 1) {
                    seqs.add(new MaskedSequence(Arrays.copyOfRange(train, s, s + T), Arrays.copyOfRange(train, s + 1, s + T + 1)));
                }
                SftTrainer sft = new SftTrainer(m, new AdamW(cfg, m.lora().params.length), seqs, 7, 1);
                step = sft::step;
            } else {
                step = new Trainer(m, new AdamW(cfg, m.layout()), new TokenData(train, val, 600_000, 60_000), 7, 1)::step;
            }
            for (int i = 0; i < warm; i++) step.get();
            var mx = ManagementFactory.getThreadMXBean();
            long cpu0 = mx.getCurrentThreadCpuTime(), w0 = System.nanoTime();
            for (int i = 0; i < steps; i++) step.get();
            double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9, wall = (System.nanoTime() - w0) / 1e9;
            System.out.printf("%s%s vocab=%d %dx%d: %.3f CPU-s/step, %.0f tokens per CPU-second (wall %.1f s for %d steps)%n",
                    a[0], a.length == 7 ? " LoRA r=" + a[6] : "", c.vocab(), B, T, cpu / steps, (double) B * T * steps / cpu, wall, steps);
        }
    }
}
