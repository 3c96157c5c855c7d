package dev.loupe.serve.engine;

import dev.loupe.core.LoupeException;
import dev.loupe.core.model.KvFormat;
import dev.loupe.core.model.KvPool;
import dev.loupe.core.model.ModelConfig;

/**
 * How big the shared KV pool is and how long one sequence's context may be. The pool is what memory allows (a
 * budget in bytes; by default half the heap left after loading, but no more than {@code parallel} full training
 * contexts, which is all that can ever be used at once), and the context is the model's training length as far
 * as that pool holds it.
 *
 * @param contextLength tokens one sequence may hold
 * @param blocks        blocks of {@link KvPool#DEFAULT_BLOCK_SIZE} positions in the pool
 */
public record KvBudget(int contextLength, int blocks) {
    /**
     * @param requestedContext {@code --ctx}, or 0 for the model's training length (as far as the pool holds it)
     * @param memoryBytes      {@code --kv-memory}, or 0 for the default
     * @param freeHeap         bytes of heap the pool may take by default
     */
    public static KvBudget plan(ModelConfig c, int parallel, int requestedContext, long memoryBytes, long freeHeap) {
        return plan(c, KvFormat.DEFAULT, parallel, requestedContext, memoryBytes, freeHeap);
    }

    /** As above, for a cache storing keys and values as {@code format}: a block costs what its rows take as stored. */
    public static KvBudget plan(ModelConfig c, KvFormat format, int parallel, int requestedContext, long memoryBytes, long freeHeap) {
        int bs = KvPool.DEFAULT_BLOCK_SIZE;
        long perBlock = KvPool.bytesPerBlock(c, bs, format);
        int wanted = requestedContext > 0 ? requestedContext : c.contextLength();
        long blocks;
        if (memoryBytes > 0) {
            blocks = memoryBytes / perBlock;
        } else {
            long enough = (long) parallel * ((wanted + bs - 1) / bs);
            blocks = Math.min(enough, freeHeap / 2 / perBlock);
        }
        blocks = Math.min(blocks, Integer.MAX_VALUE / bs); // block ids and positions are ints
        long capacity = blocks * bs;
        if (capacity < 2) {
            throw new LoupeException("the KV cache memory holds " + capacity + " tokens (" + perBlock + " bytes per "
                    + bs + " tokens); give it more with --kv-memory or a larger heap (-Xmx)");
        }
        if (requestedContext > capacity) {
            throw new LoupeException("--ctx " + requestedContext + " does not fit the KV cache memory, which holds "
                    + capacity + " tokens; lower --ctx or raise --kv-memory");
        }
        int ctx = (int) Math.min(wanted, capacity);
        return new KvBudget(ctx, (int) blocks);
    }

    /** Bytes of heap the JVM can still give. */
    public static long freeHeap() {
        Runtime r = Runtime.getRuntime();
        return r.maxMemory() - (r.totalMemory() - r.freeMemory());
    }
}
