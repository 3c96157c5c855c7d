package dev.loupe.serve.engine;

import dev.loupe.core.LoupeException;
import dev.loupe.core.model.KvFormat;
import dev.loupe.core.model.KvPool;
import dev.loupe.core.model.ModelConfig;

/**
 * How big the shared KV pool is and how long one sequence's context may be. The pool is what memory allows (a
 * budget in bytes; by default half the memory the system has available after loading (the blocks live off the Java
 * heap, taken as sequences grow), but no more than {@code parallel} full training
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
     * @param available        bytes of memory half of which the pool may take by default ({@link #availableMemory})
     */
    public static KvBudget plan(ModelConfig c, int parallel, int requestedContext, long memoryBytes, long available) {
        return plan(c, KvFormat.DEFAULT, parallel, requestedContext, memoryBytes, available);
    }

    /** As above, for a cache storing keys and values as {@code format}: a block costs what its rows take as stored. */
    public static KvBudget plan(ModelConfig c, KvFormat format, int parallel, int requestedContext, long memoryBytes, long available) {
        int bs = KvPool.DEFAULT_BLOCK_SIZE;
        long perBlock = KvPool.bytesPerBlock(c, bs, format);
        int wanted = requestedContext > 0 ? requestedContext : c.contextLength();
        long blocks;
        if (memoryBytes > 0) {
            blocks = memoryBytes / perBlock;
        } else {
            long enough = (long) parallel * ((wanted + bs - 1) / bs);
            blocks = Math.min(enough, available / 2 / perBlock);
        }
        blocks = Math.min(blocks, Integer.MAX_VALUE / bs); // block ids and positions are ints
        long capacity = blocks * bs;
        if (capacity < 2) {
            throw new LoupeException("the KV cache memory holds " + capacity + " tokens (" + perBlock + " bytes per "
                    + bs + " tokens); give it more with --kv-memory or free some memory");
        }
        if (requestedContext > capacity) {
            throw new LoupeException("--ctx " + requestedContext + " does not fit the KV cache memory, which holds "
                    + capacity + " tokens; lower --ctx or raise --kv-memory");
        }
        int ctx = (int) Math.min(wanted, capacity);
        return new KvBudget(ctx, (int) blocks);
    }

    /**
     * Bytes of memory the system can still give: Linux's MemAvailable (free memory plus what the page cache can
     * drop), else the JVM's view of free physical memory. The KV blocks are off-heap, so the Java heap's headroom,
     * which this used to be, says nothing about them.
     */
    public static long availableMemory() {
        try {
            long fromProc = memAvailable(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo")));
            if (fromProc > 0) return fromProc;
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux, or /proc unreadable: ask the JVM
        }
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getFreeMemorySize();
        Runtime r = Runtime.getRuntime();
        return r.maxMemory() - (r.totalMemory() - r.freeMemory());
    }

    /** The MemAvailable line of /proc/meminfo's {@code lines} in bytes, or -1 if there is none. */
    static long memAvailable(java.util.List<String> lines) {
        for (String line : lines) {
            if (!line.startsWith("MemAvailable:")) continue;
            String[] parts = line.substring("MemAvailable:".length()).trim().split("\\s+");
            long kib = Long.parseLong(parts[0]);
            return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? kib * 1024 : kib;
        }
        return -1;
    }
}
