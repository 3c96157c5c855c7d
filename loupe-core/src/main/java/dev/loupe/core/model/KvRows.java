package dev.loupe.core.model;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A cache's key and value rows as bytes in the cache's own stored form (its {@link KvFormat}), for writing them to
 * disk and reading them back bit for bit (saved sessions), and the synthetic depth fill of benchmarks. Goes through
 * {@link KvPool}'s row API only.
 */
final class KvRows {
    private KvRows() {}

    /** The stored type's name, as llama.cpp's {@code --cache-type-k/-v} spells it. */
    static String typeName(KvCache cache, boolean values) {
        KvFormat f = cache.pool.format();
        return (values ? f.values() : f.keys()).name().toLowerCase(Locale.ROOT);
    }

    /** Bytes of one position's row of one layer. */
    static int rowBytes(KvCache cache, boolean values) {
        return Math.toIntExact(values ? cache.pool.valueRowBytes() : cache.pool.keyRowBytes());
    }

    /** Appends the rows of positions [from, from + count) of {@code layer} to {@code dst}, run by run within blocks. */
    static void export(KvCache cache, int layer, boolean values, int from, int count, ByteBuffer dst) {
        transfer(cache, layer, values, from, count, dst, true);
    }

    /** Reads the rows of positions [from, from + count) of {@code layer} from {@code src}. */
    static void load(KvCache cache, int layer, boolean values, int from, int count, ByteBuffer src) {
        transfer(cache, layer, values, from, count, src, false);
    }

    private static void transfer(KvCache cache, int layer, boolean values, int from, int count, ByteBuffer buf, boolean out) {
        KvPool pool = cache.pool;
        long rowBytes = rowBytes(cache, values);
        MemorySegment mem = MemorySegment.ofBuffer(buf);
        long at = 0;
        for (int t = from; t < from + count; ) {
            int end = Math.min(from + count - 1, cache.lastInBlock(t));
            int row = cache.row(t), slot = row & pool.blockMask;
            long offset = values ? pool.valueOffset(layer, slot) : pool.keyOffset(layer, slot);
            long bytes = (end - t + 1) * rowBytes;
            MemorySegment block = out ? pool.readableBlock(row >>> pool.blockShift, layer) : pool.writableBlock(row >>> pool.blockShift, layer);
            if (out) MemorySegment.copy(block, offset, mem, at, bytes);
            else MemorySegment.copy(mem, at, block, offset, bytes);
            at += bytes;
            t = end + 1;
        }
        buf.position(buf.position() + (int) at);
    }

    /** Root mean square of the (decoded) values in rows [from, to) of {@code layer}. */
    static double rms(KvCache cache, int layer, boolean values, int from, int to) {
        float[] row = new float[values ? cache.pool.vDim : cache.pool.kvDim];
        double sum = 0;
        for (int t = from; t < to; t++) {
            if (values) cache.pool.readValue(layer, cache.row(t), row, 0);
            else cache.pool.readKey(layer, cache.row(t), row, 0);
            for (float x : row) sum += (double) x * x;
        }
        return Math.sqrt(sum / ((double) (to - from) * row.length));
    }

    /** Fills rows [from, to) of {@code layer} with Gaussian noise of standard deviation {@code sigma}, encoded as the cache stores. */
    static void fillGaussian(KvCache cache, int layer, boolean values, int from, int to, double sigma, SplittableRandom random) {
        float[] row = new float[values ? cache.pool.vDim : cache.pool.kvDim];
        for (int t = from; t < to; t++) {
            for (int i = 0; i < row.length; i++) row[i] = (float) (random.nextGaussian() * sigma);
            if (values) cache.pool.writeValue(layer, cache.row(t), row, 0);
            else cache.pool.writeKey(layer, cache.row(t), row, 0);
        }
    }
}
