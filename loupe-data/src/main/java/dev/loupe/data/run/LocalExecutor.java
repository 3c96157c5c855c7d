package dev.loupe.data.run;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Shards on a fixed pool of platform threads. After the first failure no new shard starts (running ones finish),
 * which is what leaves a resumable state: every shard is either committed or untouched.
 */
public final class LocalExecutor implements ShardExecutor {
    private final ExecutorService pool;

    public LocalExecutor(int workers) {
        pool = Executors.newFixedThreadPool(Math.max(1, workers), Thread.ofPlatform().name("loupe-data-", 0).factory());
    }

    @Override
    public <R extends Serializable> List<R> map(List<Integer> shards, ShardFunction<R> fn) {
        AtomicBoolean failed = new AtomicBoolean();
        List<Future<R>> futures = new ArrayList<>();
        for (int s : shards) {
            futures.add(pool.submit(() -> {
                if (failed.get()) return null;
                try {
                    return fn.apply(s);
                } catch (RuntimeException | Error e) {
                    failed.set(true);
                    throw e;
                }
            }));
        }
        List<R> out = new ArrayList<>();
        Throwable first = null;
        for (Future<R> f : futures) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                if (first == null) first = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (first instanceof RuntimeException re) throw re;
        if (first instanceof Error er) throw er;
        return out;
    }

    @Override
    public boolean local() {
        return true;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
