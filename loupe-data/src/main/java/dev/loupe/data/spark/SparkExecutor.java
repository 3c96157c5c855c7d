package dev.loupe.data.spark;

import dev.loupe.data.run.ShardExecutor;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.Serializable;
import java.util.List;

/**
 * Runs shard tasks as Spark tasks, one partition per shard. Spark is only the scheduler here: each task runs
 * the same {@code ShardProcessor} code the local runner runs, which is why both write identical bytes (as with
 * datatrove's executors: the cluster distributes ranks, the pipeline is unchanged).
 */
public final class SparkExecutor implements ShardExecutor {
    private final JavaSparkContext sc;
    private final boolean owned;

    private SparkExecutor(JavaSparkContext sc, boolean owned) {
        this.sc = sc;
        this.owned = owned;
    }

    /** An in-process Spark in local mode with {@code threads} cores, UI off, bound to the loopback interface. */
    public static SparkExecutor local(int threads) {
        SparkConf conf = new SparkConf().setMaster("local[" + Math.max(1, threads) + "]").setAppName("loupe-data")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.sql.shuffle.partitions", "4");
        return new SparkExecutor(new JavaSparkContext(conf), true);
    }

    /** Uses the context of a running application (e.g. one started by spark-submit); it is not stopped on close. */
    public static SparkExecutor of(JavaSparkContext sc) {
        return new SparkExecutor(sc, false);
    }

    /** The master from spark-submit's configuration, or local mode when there is none. */
    public static SparkExecutor fromEnvironment(int threads) {
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.master")) return local(threads);
        conf.setAppName("loupe-data");
        return new SparkExecutor(new JavaSparkContext(conf), true);
    }

    @Override
    public <R extends Serializable> List<R> map(List<Integer> shards, ShardFunction<R> fn) {
        if (shards.isEmpty()) return List.of();
        return sc.parallelize(shards, shards.size()).map(fn::apply).collect();
    }

    @Override
    public boolean local() {
        return false;
    }

    @Override
    public void close() {
        if (owned) sc.close();
    }
}
