package dev.loupe.cli;

/** One benchmark test ("pp512" or "tg128") over its repetitions: mean and sample standard deviation of tokens/s. */
record BenchResult(String test, int threads, double tokensPerSecond, double stddev, long rssBytes, long peakRssBytes,
                   double[] samples) {

    static BenchResult of(String test, int threads, double[] samples, ProcStatus mem) {
        double mean = 0;
        for (double s : samples) mean += s;
        mean /= samples.length;
        double var = 0;
        for (double s : samples) var += (s - mean) * (s - mean);
        // llama-bench reports the sample standard deviation (n - 1), and 0 for a single run.
        double sd = samples.length > 1 ? Math.sqrt(var / (samples.length - 1)) : 0;
        return new BenchResult(test, threads, mean, sd, mem.rssBytes(), mem.peakRssBytes(), samples.clone());
    }
}
