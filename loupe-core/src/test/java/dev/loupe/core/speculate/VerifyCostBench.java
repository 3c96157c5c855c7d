package dev.loupe.core.speculate;

import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Not a test: what a speculative verify pass costs the target, the number that decides whether speculative decoding
 * can pay. Times one forward pass of n rows ({@link Session#forwardAll}, every row's logits, as the verifier runs it)
 * against a 1-row pass, after a short prompt, rewinding after each so every pass sees the same context. On one
 * thread the pool runs on the calling thread, so its CPU time (ThreadMXBean) is the pass's whole cost and is not
 * inflated by other processes stealing the cores; wall time is printed too.
 * Run (from loupe-core, after test-compile):
 *   java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes dev.loupe.core.speculate.VerifyCostBench \
 *     MODEL.gguf REPS N...
 * e.g. {@code /tmp/bench/llama1b-q4_0.gguf 8 1 2 3 4 5 7}.
 */
public final class VerifyCostBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        int reps = Integer.parseInt(args[1]);
        int[] sizes = Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray();
        try (Model model = Model.load(file); ThreadPool pool = new ThreadPool(1); Session s = new Session(model, 256, pool)) {
            int vocab = model.config().vocabSize();
            int[] prompt = new int[32];
            for (int i = 0; i < prompt.length; i++) prompt[i] = 1 + (i * 7919) % (vocab - 1);
            s.prefill(prompt);
            int base = s.position();
            int[] batch = new int[Arrays.stream(sizes).max().orElse(1)];
            for (int i = 0; i < batch.length; i++) batch[i] = 1 + (i * 104729) % (vocab - 1);
            System.out.printf("%s, 1 thread, %d reps per size, load %.2f%n", file.getFileName(), reps,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            System.out.println("| rows | CPU ms/pass (median) | wall ms/pass (median) | CPU vs 1 row |");
            System.out.println("|---:|---:|---:|---:|");
            double oneRow = Double.NaN;
            // Two rounds over the sizes, the first only warms the JIT for every batch size.
            for (int round = 0; round < 2; round++) {
                for (int n : sizes) {
                    double[] cpu = new double[reps], wall = new double[reps];
                    for (int r = 0; r < reps; r++) {
                        long c0 = THREADS.getCurrentThreadCpuTime(), w0 = System.nanoTime();
                        s.forwardAll(batch, n);
                        cpu[r] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e6;
                        wall[r] = (System.nanoTime() - w0) / 1e6;
                        s.rewind(base);
                    }
                    if (round == 0) continue;
                    double c = median(cpu);
                    if (n == 1) oneRow = c;
                    System.out.printf("| %d | %.1f | %.1f | %.2f |%n", n, c, median(wall), c / oneRow);
                }
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
