package dev.loupe.cli;

/**
 * One benchmark test ("pp512" or "tg128", at a cache depth: "tg128 @ d4096") over its repetitions: mean and sample
 * standard deviation of tokens/s.
 */
record BenchResult(String test, int depth, int threads, double tokensPerSecond, double stddev, long rssBytes, long peakRssBytes,
                   double[] samples) {

    /** The test's name as llama-bench prints it: the depth is named when there is one. */
    static String name(String test, int depth) {
        return depth == 0 ? test : test + " @ d" + depth;
    }

    static BenchResult of(String test, int depth, int threads, double[] samples, ProcStatus mem) {
        double mean = 0;
        for (double s : samples) mean += s;
        mean /= samples.length;
        double var = 0;
        for (double s : samples) var += (s - mean) * (s - mean);
        // llama-bench reports the sample standard deviation (n - 1), and 0 for a single run.
        double sd = samples.length > 1 ? Math.sqrt(var / (samples.length - 1)) : 0;
        return new BenchResult(test, depth, threads, mean, sd, mem.rssBytes(), mem.peakRssBytes(), samples.clone());
    }
}
