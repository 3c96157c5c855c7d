package dev.loupe.core.parallel;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * How fast the threads of a pool can read a memory region once through: the memory-bandwidth roofline of decoding,
 * which reads every weight once per token. Measured on the mapped model file itself, whose pages decoding reads, so
 * page size, NUMA placement and the page cache are those of the real work.
 * <p>
 * Each pass splits the region into 1 MiB stripes claimed by the pool's threads and adds its longs with 256-bit vector
 * loads into four independent accumulators (so the adds never wait on each other and only the loads limit the
 * speed); the best pass is reported, as memory benchmarks such as STREAM do.
 */
public final class ReadBandwidth {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_256;
    private static final long STRIPE = 1 << 20;
    private static volatile long blackhole;

    private ReadBandwidth() {}

    /** The best of {@code passes} single reads of {@code region} by {@code pool}'s threads, in bytes per second. */
    public static double measure(MemorySegment region, ThreadPool pool, int passes) {
        if (passes < 1) throw new IllegalArgumentException("passes must be at least 1, got " + passes);
        long usable = region.byteSize() / STRIPE * STRIPE;
        if (usable == 0) throw new IllegalArgumentException("a region of at least 1 MiB is needed, got " + region.byteSize() + " bytes");
        int stripes = Math.toIntExact(usable / STRIPE);
        warmUp(region);
        long[] sums = new long[stripes];
        RangeTask read = (from, to) -> {
            for (int s = from; s < to; s++) sums[s] = sum(region, s * STRIPE, STRIPE);
        };
        double best = 0;
        for (int p = 0; p < passes; p++) {
            long t0 = System.nanoTime();
            pool.run(read, stripes);
            long ns = System.nanoTime() - t0;
            best = Math.max(best, usable * 1e9 / ns);
        }
        long total = 0;
        for (long s : sums) total += s;
        blackhole = total; // the sums are used, so the reads cannot be dropped
        return best;
    }

    /**
     * Runs the summing loop on one stripe until it runs compiled (interpreted, each vector operation allocates and a
     * pass over a 1 GB file would take many seconds), or for at most 3 s.
     */
    private static void warmUp(MemorySegment region) {
        long deadline = System.nanoTime() + 3_000_000_000L, acc = 0;
        int fast = 0;
        while (fast < 3 && System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            acc += sum(region, 0, STRIPE);
            fast = System.nanoTime() - t0 < 2_000_000 ? fast + 1 : 0; // a compiled pass over 1 MiB takes ~0.1 ms
        }
        blackhole = acc;
    }

    /** The longs of [off, off + len), summed (len a multiple of 128 bytes). */
    static long sum(MemorySegment m, long off, long len) {
        LongVector a = LongVector.zero(L), b = a, c = a, d = a;
        for (long i = off, end = off + len; i < end; i += 128) {
            a = a.add(LongVector.fromMemorySegment(L, m, i, ByteOrder.LITTLE_ENDIAN));
            b = b.add(LongVector.fromMemorySegment(L, m, i + 32, ByteOrder.LITTLE_ENDIAN));
            c = c.add(LongVector.fromMemorySegment(L, m, i + 64, ByteOrder.LITTLE_ENDIAN));
            d = d.add(LongVector.fromMemorySegment(L, m, i + 96, ByteOrder.LITTLE_ENDIAN));
        }
        return a.add(b).add(c.add(d)).reduceLanes(VectorOperators.ADD);
    }
}
