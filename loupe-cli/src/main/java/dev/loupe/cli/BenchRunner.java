package dev.loupe.cli;

import dev.loupe.core.model.Session;

import java.util.SplittableRandom;

/**
 * Measures a session the way llama-bench does: prompt processing (pp) sends {@code p} tokens at once and
 * counts p / time; text generation (tg) runs {@code n} tokens one at a time, each with its logits, and counts
 * n / time. Tokens are random ids, as in llama-bench: speed does not depend on them. The cache is rewound to the
 * depth before every run (positions before it stay), and one untimed run of each test comes first so the JIT has
 * compiled the kernels before anything is timed.
 */
final class BenchRunner {
    private final Session session;
    private final int vocab;
    private final SplittableRandom random = new SplittableRandom(42);
    /** Positions already in the cache before each test (llama-bench's -d); every run starts from there. */
    private int depth;

    BenchRunner(Session session, int vocab) {
        this.session = session;
        this.vocab = vocab;
    }

    /** How the first {@code depth} positions are filled before the tests at that depth. */
    enum DepthFill {
        /** Computed from random tokens, as llama-bench does: exact, but prefill-slow. */
        REAL,
        /**
         * The first {@value #REAL_HEAD} tokens computed, the rest Gaussian noise of the same per-layer scale
         * ({@link Session#fillSynthetic}): attention reads the same number of rows whatever they hold.
         */
        RANDOM;

        static final int REAL_HEAD = 64;
    }

    /** Brings the cache to {@code d} positions (untimed); the following tests run after them. */
    void fill(int d, DepthFill how, java.util.function.IntConsumer progress) {
        session.rewind(0);
        depth = d;
        if (d == 0) return;
        if (how == DepthFill.RANDOM) {
            session.fillSynthetic(randomTokens(Math.min(d, DepthFill.REAL_HEAD)), d, 42);
            return;
        }
        int[] ids = randomTokens(d);
        for (int from = 0; from < d; from += Session.PREFILL_BATCH) {
            session.prefill(java.util.Arrays.copyOfRange(ids, from, Math.min(d, from + Session.PREFILL_BATCH)));
            progress.accept(Math.min(d, from + Session.PREFILL_BATCH));
        }
    }

    /** Tokens per second of one prompt of {@code p} tokens. */
    double promptOnce(int p) {
        int[] ids = randomTokens(p);
        session.rewind(depth);
        long t0 = System.nanoTime();
        session.prefill(ids);
        return p / seconds(t0);
    }

    /** Tokens per second of generating {@code n} tokens one at a time. */
    double generateOnce(int n) {
        int[] ids = randomTokens(n);
        session.rewind(depth);
        long t0 = System.nanoTime();
        for (int id : ids) session.forward(id, true);
        return n / seconds(t0);
    }

    double[] repeat(int reps, java.util.function.DoubleSupplier run) {
        double[] out = new double[reps];
        for (int i = 0; i < reps; i++) out[i] = run.getAsDouble();
        return out;
    }

    private int[] randomTokens(int count) {
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) ids[i] = random.nextInt(vocab);
        return ids;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
