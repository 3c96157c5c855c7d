package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.chat.ChatTemplate;
import dev.loupe.core.chat.ChatTemplates;
import dev.loupe.core.lora.LoraTarget;
import dev.loupe.core.model.Model;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.train.Trainer;
import dev.loupe.train.finetune.ChatEncoder;
import dev.loupe.train.finetune.FineTuner;
import dev.loupe.train.finetune.MaskedSequence;
import dev.loupe.train.io.AdapterExporter;
import dev.loupe.train.io.LossLog;
import dev.loupe.train.io.ModelExporter;
import dev.loupe.train.io.ModelImporter;
import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.nn.Lora;
import dev.loupe.train.optim.AdamW;
import dev.loupe.train.optim.AdamWConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What {@code loupe train sft|lora|dpo} share: load a GGUF base into the trainer (dequantized), optionally put LoRA
 * adapters on it, run the steps with a progress line, checkpoints (OUTPUT.ckpt, resumable) and a loss log, and
 * write the result: the whole model as an F32 GGUF, or the adapters as a llama.cpp-format LoRA GGUF (or merged).
 */
abstract class FineTuneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "FILE", required = true, description = "Base model GGUF (llama architecture; any type, quantized too).")
    Path model;

    @Option(names = "--data", paramLabel = "FILE", required = true, description = "Training data, JSONL (see the description above).")
    Path data;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true,
            description = "Output GGUF: the fine-tuned model, or with LoRA the adapter (the merged model with --merge).")
    Path output;

    @Option(names = "--chat-template", paramLabel = "NAME|JINJA", description = "Template to render the data with, instead of the model's (default: its own, else chatml).")
    String template;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps = 100;

    @Option(names = "--batch", paramLabel = "B", description = "Sequences per micro-batch (default: 4; DPO: 2, a chosen and a rejected answer per pair).")
    Integer batch;

    @Option(names = "--seq", paramLabel = "T", description = "Tokens per sequence; longer examples are cut (default: the longest example, at most the model's context).")
    int seq;

    @Option(names = "--accum", paramLabel = "K", description = "Micro-batches accumulated per step (default: ${DEFAULT-VALUE}).")
    int accum = 1;

    @Option(names = "--lr", paramLabel = "LR", description = "Peak learning rate (default: 1e-4 for the whole model, 1e-3 with LoRA).")
    Float lr;

    @Option(names = "--warmup", paramLabel = "N", description = "Warmup steps, then cosine decay to 10%% (default: ${DEFAULT-VALUE}).")
    int warmup = 10;

    @Option(names = "--weight-decay", paramLabel = "W", description = "AdamW weight decay of the matrices (default: ${DEFAULT-VALUE}).")
    float weightDecay = 0f;

    @Option(names = "--lora-rank", paramLabel = "R", description = "Train LoRA adapters of rank R on the frozen base instead of the whole model (0: whole model).")
    Integer loraRank;

    @Option(names = "--lora-alpha", paramLabel = "A", description = "LoRA alpha; the update is scaled by alpha/rank (default: 2 x rank).")
    Float loraAlpha;

    @Option(names = "--lora-targets", paramLabel = "LIST", description = "Matrices with adapters: all, or some of attn_q,attn_k,attn_v,attn_output,ffn_gate,ffn_up,ffn_down (default: ${DEFAULT-VALUE}).")
    String loraTargets = "all";

    @Option(names = "--merge", description = "With LoRA: write the base with the adapters merged in (a full F32 model) instead of the adapter.")
    boolean merge;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the adapters' initialisation and of example order (default: ${DEFAULT-VALUE}).")
    long seed = 1337;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores).")
    int threads = ThreadPool.defaultThreads();

    @Option(names = "--save-every", paramLabel = "N", description = "Checkpoint to OUTPUT.ckpt every N steps (default: ${DEFAULT-VALUE}).")
    int saveEvery = 50;

    @Option(names = "--max-seconds", paramLabel = "S", description = "Stop (checkpoint and write the output) after this much wall time; continue with --resume.")
    double maxSeconds;

    @Option(names = "--resume", description = "Continue from OUTPUT.ckpt if it exists (parameters, AdamW moments, step and example order).")
    boolean resume;

    /** Reads the data (file:line errors) and returns every sequence in it (both answers of a DPO pair). */
    abstract List<MaskedSequence> loadData(ChatEncoder encoder);

    /** The trainer over the data loaded by {@link #loadData}. */
    abstract FineTuner trainer(LlamaModel model, AdamW optimizer, long seed, int accumulation);

    /** LoRA rank when --lora-rank is not given (0: the whole model). */
    int defaultLoraRank() {
        return 0;
    }

    int defaultBatch() {
        return 4;
    }

    /** Extra words for the progress line (e.g. DPO's reward margin), or "". */
    String status(FineTuner t) {
        return "";
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        int B = batch != null ? batch : defaultBatch();
        if (steps < 1 || B < 1 || accum < 1 || saveEvery < 1) throw new LoupeException("--steps, --batch, --accum and --save-every must be positive");
        int rank = loraRank != null ? loraRank : defaultLoraRank();
        if (rank < 0) throw new LoupeException("--lora-rank must be 0 or more, got " + rank);
        if (merge && rank == 0) throw new LoupeException("--merge needs LoRA (--lora-rank R)");
        if (!Files.isRegularFile(model)) throw new LoupeException("no such model file: " + model);
        Path ckpt = Path.of(output + ".ckpt"), csv = Path.of(output + ".loss.csv");
        try (Model base = Model.load(model); ThreadPool pool = new ThreadPool(threads)) {
            LlamaConfig c = ModelImporter.config(base);
            Tokenizer tok = Tokenizer.fromMetadata(base.file().metadata());
            ChatTemplate tpl = ChatTemplates.select(base.file().metadata(), template,
                    tok.bos() >= 0 ? tok.piece(tok.bos()) : "", tok.eos() >= 0 ? tok.piece(tok.eos()) : "");
            List<MaskedSequence> sequences = loadData(new ChatEncoder(tok, tpl));
            int longest = sequences.stream().mapToInt(MaskedSequence::length).max().orElse(1);
            int T = seq > 0 ? seq : Math.min(longest, c.contextLength());
            if (T > c.contextLength()) throw new LoupeException("--seq " + T + " exceeds the model's context " + c.contextLength());
            long lost = sequences.stream().filter(q -> q.truncate(T).trainedTokens() == 0).count();
            if (lost == sequences.size()) throw new LoupeException("cut to " + T + " tokens (--seq), no example keeps any assistant token; the longest has " + longest);
            if (longest > T) err.printf("note: examples longer than %d tokens are cut (the longest has %d); %d keep no assistant token%n", T, longest, lost);
            LlamaModel m = new LlamaModel(c, B, T, pool);
            ModelImporter.load(base, c, m.params);
            float peak = lr != null ? lr : rank > 0 ? 1e-3f : 1e-4f;
            AdamWConfig cfg = new AdamWConfig(peak, 0.9f, 0.999f, 1e-8f, weightDecay, Math.min(warmup, steps), steps, 0.1f, 1.0f);
            AdamW opt;
            if (rank > 0) {
                Lora lora = m.attachLora(new Lora.Config(rank, loraAlpha != null ? loraAlpha : 2f * rank, LoraTarget.parseList(loraTargets)));
                lora.initialize(seed);
                opt = new AdamW(cfg, lora.params.length);
            } else {
                opt = new AdamW(cfg, m.layout());
            }
            FineTuner t = trainer(m, opt, seed ^ 0x5DEECE66DL, accum);
            if (resume && Files.exists(ckpt)) {
                t.loadCheckpoint(ckpt);
                err.printf("resumed from %s at step %d%n", ckpt, opt.step());
            }
            err.printf("%s: %s, %,d trainable parameters%s, batch %d x %d tokens%n", spec.name(), c.describe(),
                    FineTuner.trainable(m).length, rank > 0 ? " (LoRA rank " + rank + " on a frozen base)" : "", B, T);
            train(t, ckpt, csv, err);
            write(base, c, m);
            err.printf("wrote %s (loss curve %s)%n", output, csv);
        }
        return 0;
    }

    private void train(FineTuner t, Path ckpt, Path csv, PrintWriter err) {
        AdamW opt = t.optimizer();
        boolean terminal = System.console() != null && System.console().isTerminal();
        try (LossLog log = new LossLog(csv, resume && opt.step() > 0)) {
            long start = System.nanoTime(), startStep = opt.step();
            while (opt.step() < steps) {
                Trainer.StepResult r = t.step();
                double secs = (System.nanoTime() - start) / 1e9;
                boolean timeUp = maxSeconds > 0 && secs >= maxSeconds;
                boolean save = r.step() % saveEvery == 0 || r.step() == steps || timeUp;
                if (save) t.saveCheckpoint(ckpt);
                log.append(r, Double.NaN, Double.NaN, secs);
                double eta = (steps - r.step()) * secs / (r.step() - startStep);
                int done = (int) (24 * r.step() / steps);
                if (terminal || save) {
                    err.printf("\rstep %d/%d [%s%s] loss %.4f | lr %.2e | %.1f s/step | ETA %.0f s %s%s", r.step(), steps, "#".repeat(done),
                            "-".repeat(24 - done), r.loss(), r.lr(), secs / (r.step() - startStep), eta, status(t), save ? "\n" : "");
                    err.flush();
                }
                if (timeUp) {
                    err.printf("stopping after %.0f s at step %d (continue with --resume)%n", secs, r.step());
                    break;
                }
            }
            log.writeSvg(Path.of(output + ".loss.svg"));
        }
    }

    private void write(Model base, LlamaConfig c, LlamaModel m) {
        String name = "loupe-" + output.getFileName();
        Lora lora = m.lora();
        if (lora == null || merge) {
            if (lora != null) lora.mergeInto(m.params, m.layout());
            ModelExporter.write(output, name, c, m.params, ModelImporter.tokenizerOf(base.file()));
        } else {
            AdapterExporter.write(output, name, base.config().arch().name(), lora);
        }
    }
}
