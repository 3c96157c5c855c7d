package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.train.Trainer;
import dev.loupe.train.bpe.BpeEncoder;
import dev.loupe.train.bpe.BpeVocab;
import dev.loupe.train.bpe.Corpus;
import dev.loupe.train.data.TokenData;
import dev.loupe.train.io.Checkpoint;
import dev.loupe.train.io.LossLog;
import dev.loupe.train.io.ModelExporter;
import dev.loupe.train.io.PlayTemplate;
import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.optim.AdamW;
import dev.loupe.train.optim.AdamWConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Pretrain a Llama from scratch on a corpus (first 90%% trains, last 10%% validates) and export it as GGUF.", ""},
        footer = {"", "Shape keys: dim, layers, heads, kv, ffn, ctx, theta, eps, tied (default true).", "",
                "Example:",
                "  loupe train pretrain --corpus input.txt --tokenizer tok.gguf \\",
                "      --shape dim=256,layers=6,heads=8,kv=4,ffn=768,ctx=256 --steps 5000 -o model.gguf",
                "  ... --resume        continue from model.gguf.ckpt (bit-identical to an uninterrupted run);",
                "                      on a finished run: evaluate (--eval-batches N) and export again"})
final class PretrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--corpus", paramLabel = "FILE", required = true, description = "UTF-8 training text.")
    Path corpus;

    @Option(names = "--tokenizer", paramLabel = "FILE", required = true, description = "Tokenizer GGUF from 'loupe train tokenizer'.")
    Path tokenizer;

    @Option(names = "--shape", paramLabel = "SPEC", required = true, description = "Model shape, e.g. dim=256,layers=6,heads=8,kv=4,ffn=768,ctx=256.")
    String shape;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "The exported model GGUF.")
    Path output;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps = 2000;

    @Option(names = "--batch", paramLabel = "B", description = "Sequences per micro-batch (default: ${DEFAULT-VALUE}).")
    int batch = 8;

    @Option(names = "--seq", paramLabel = "T", description = "Tokens per sequence (default: the shape's ctx).")
    int seq;

    @Option(names = "--accum", paramLabel = "K", description = "Micro-batches accumulated per step (default: ${DEFAULT-VALUE}).")
    int accum = 1;

    @Option(names = "--lr", paramLabel = "LR", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    float lr = 1e-3f;

    @Option(names = "--warmup", paramLabel = "N", description = "Warmup steps (default: ${DEFAULT-VALUE}).")
    int warmup = 100;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of initialisation and batches (default: ${DEFAULT-VALUE}).")
    long seed = 1337;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores).")
    int threads = ThreadPool.defaultThreads();

    @Option(names = "--eval-every", paramLabel = "N", description = "Validate and checkpoint every N steps (default: ${DEFAULT-VALUE}).")
    int evalEvery = 100;

    @Option(names = "--eval-batches", paramLabel = "N", description = "Validation batches per evaluation (default: ${DEFAULT-VALUE}).")
    int evalBatches = 8;

    @Option(names = "--max-seconds", paramLabel = "S", description = "Stop (checkpoint and export) after this much wall time; resume later.")
    double maxSeconds;

    @Option(names = "--chat-template", paramLabel = "JINJA",
            description = "Chat template stored in the exported model (default: a play, user as ROMEO, model as JULIET; 'none' for none).")
    String chatTemplate = PlayTemplate.JINJA;

    @Option(names = "--resume", description = "Continue from the checkpoint (OUTPUT.ckpt) if it exists.")
    boolean resume;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        BpeVocab vocab = BpeVocab.load(tokenizer);
        LlamaConfig c = LlamaConfig.parse(shape, vocab.size());
        int T = seq > 0 ? seq : c.contextLength();
        if (T > c.contextLength()) throw new LoupeException("--seq " + T + " exceeds ctx " + c.contextLength());
        Path ckpt = Path.of(output + ".ckpt");
        Path csv = Path.of(output + ".loss.csv");
        err.printf("tokenizing %s ...%n", corpus);
        TokenData data = new TokenData(Corpus.read(corpus), new BpeEncoder(vocab));
        err.printf("%d train / %d validation tokens (%.2f chars per token)%n", data.train.length, data.val.length, (double) data.trainChars / data.train.length);
        try (ThreadPool pool = new ThreadPool(threads)) {
            LlamaModel model = new LlamaModel(c, batch, T, pool);
            model.initialize(seed);
            AdamW opt = new AdamW(AdamWConfig.defaults(lr, warmup, steps), model.layout());
            Trainer trainer = new Trainer(model, opt, data, seed ^ 0x5DEECE66DL, accum);
            if (resume && Files.exists(ckpt)) {
                Checkpoint.load(trainer, ckpt);
                err.printf("resumed from %s at step %d%n", ckpt, opt.step());
            } else if (resume) {
                err.printf("no checkpoint at %s; starting from scratch%n", ckpt);
            }
            err.printf("model %s: %,d parameters (%.1f MB as F32)%n", c.describe(), model.params.length, model.params.length * 4 / 1e6);
            LossLog log = new LossLog(csv, resume && opt.step() > 0);
            long start = System.nanoTime();
            long startStep = opt.step();
            double valLoss = Double.NaN;
            while (opt.step() < steps) {
                Trainer.StepResult r = trainer.step();
                double secs = (System.nanoTime() - start) / 1e9;
                double tokPerSec = (r.step() - startStep) * trainer.tokensPerStep() / secs;
                boolean eval = r.step() % evalEvery == 0 || r.step() == steps;
                boolean timeUp = maxSeconds > 0 && secs >= maxSeconds;
                if (eval || timeUp) {
                    valLoss = trainer.validate(evalBatches);
                    Checkpoint.save(trainer, ckpt);
                }
                log.append(r, eval || timeUp ? valLoss : Double.NaN, eval || timeUp ? data.natsPerChar(valLoss) : Double.NaN, secs);
                double eta = (steps - r.step()) * secs / (r.step() - startStep);
                progress(err, r, valLoss, data.natsPerChar(valLoss), tokPerSec, eta, eval || timeUp);
                if (timeUp) {
                    err.printf("%nstopping after %.0f s at step %d (continue with --resume)%n", secs, r.step());
                    break;
                }
            }
            if (opt.step() == startStep) {
                // Nothing left to train (a finished run resumed): evaluate it, e.g. on more batches, and re-export.
                valLoss = trainer.validate(evalBatches);
                err.printf("step %d: validation loss %.4f per token, %.4f nats per character (%d batches of %d x %d tokens)%n",
                        opt.step(), valLoss, data.natsPerChar(valLoss), evalBatches, batch, T);
            }
            log.close();
            ModelExporter.write(output, "loupe-" + output.getFileName(), c, model.params,
                    PlayTemplate.tokenizer(vocab, "none".equals(chatTemplate) ? null : chatTemplate));
            log.writeSvg(Path.of(output + ".loss.svg"));
            err.printf("%nwrote %s (loss curve %s)%n", output, csv);
        }
        return 0;
    }

    private void progress(PrintWriter err, Trainer.StepResult r, double val, double npc, double tokPerSec, double eta, boolean newline) {
        int width = 24, done = (int) (width * r.step() / steps);
        String bar = "#".repeat(done) + "-".repeat(width - done);
        String v = Double.isNaN(val) ? "val -" : String.format("val %.3f (%.3f nats/char)", val, npc);
        err.printf("\rstep %d/%d [%s] loss %.3f | %s | %.0f tok/s | ETA %s   %s", r.step(), steps, bar, r.loss(), v,
                tokPerSec, duration(eta), newline ? "\n" : "");
        err.flush();
    }

    private static String duration(double s) {
        long t = (long) s;
        return t >= 3600 ? String.format("%dh%02dm", t / 3600, t / 60 % 60) : String.format("%dm%02ds", t / 60, t % 60);
    }
}
