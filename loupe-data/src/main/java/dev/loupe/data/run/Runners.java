package dev.loupe.data.run;

import dev.loupe.core.LoupeException;
import dev.loupe.data.pipeline.PipelineSpec;

/** Entry point: run a pipeline locally or on Spark. */
public final class Runners {
    private Runners() {}

    public static RunSummary runLocal(PipelineSpec spec, RunOptions options) {
        try (LocalExecutor ex = new LocalExecutor(options.workers())) {
            return new PipelineRunner(ex, options).run(spec);
        }
    }

    /**
     * Runs on Spark: the master configured by spark-submit, or local mode. Spark is an optional dependency
     * (hundreds of MB), so without it on the classpath this is a one-line error, not a NoClassDefFoundError.
     */
    public static RunSummary runSpark(PipelineSpec spec, RunOptions options) {
        try {
            Class.forName("org.apache.spark.SparkConf");
        } catch (ClassNotFoundException e) {
            throw new LoupeException("the Spark runner needs Apache Spark 4 on the classpath (run under spark-submit, "
                    + "or add spark-core_2.13 next to the loupe jar); use --runner local otherwise");
        }
        try (ShardExecutor ex = dev.loupe.data.spark.SparkExecutor.fromEnvironment(options.workers())) {
            return new PipelineRunner(ex, options).run(spec);
        }
    }
}
