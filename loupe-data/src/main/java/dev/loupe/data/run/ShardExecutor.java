package dev.loupe.data.run;

import java.io.Serializable;
import java.util.List;

/** Runs one function per shard somewhere (threads, Spark) and returns the results in shard order. */
public interface ShardExecutor extends AutoCloseable {
    interface ShardFunction<R> extends Serializable {
        R apply(int shard);
    }

    <R extends Serializable> List<R> map(List<Integer> shards, ShardFunction<R> fn);

    /** True when tasks run in this JVM and may share a {@link Progress}. */
    boolean local();

    @Override
    default void close() {}
}
