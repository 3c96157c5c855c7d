package dev.loupe.core.model;

import java.nio.ByteBuffer;

/**
 * A cache's key and value rows as bytes in the cache's own stored form, for writing them to disk and reading them
 * back bit for bit (saved sessions). The pool holds values already rounded to F16, so F16 halves are their exact
 * stored form. This is the one place that knows how rows look as bytes.
 */
final class KvRows {
    private KvRows() {}

    /** The stored type's name, as llama.cpp's {@code --cache-type-k/-v} spells it. */
    static String typeName(KvCache cache, boolean values) {
        return "f16";
    }

    /** Bytes of one position's row of one layer. */
    static int rowBytes(KvCache cache, boolean values) {
        return (values ? cache.pool.vDim : cache.pool.kvDim) * Short.BYTES;
    }

    /** Appends the rows of positions [from, from + count) of {@code layer} to {@code dst}. */
    static void export(KvCache cache, int layer, boolean values, int from, int count, ByteBuffer dst) {
        float[] data = values ? cache.pool.values[layer] : cache.pool.keys[layer];
        int width = values ? cache.pool.vDim : cache.pool.kvDim;
        for (int t = from; t < from + count; t++) {
            int o = cache.row(t) * width;
            for (int i = 0; i < width; i++) dst.putShort(Float.floatToFloat16(data[o + i]));
        }
    }

    /** Reads the rows of positions [from, from + count) of {@code layer} from {@code src}. */
    static void load(KvCache cache, int layer, boolean values, int from, int count, ByteBuffer src) {
        float[] data = values ? cache.pool.values[layer] : cache.pool.keys[layer];
        int width = values ? cache.pool.vDim : cache.pool.kvDim;
        for (int t = from; t < from + count; t++) {
            int o = cache.row(t) * width;
            for (int i = 0; i < width; i++) data[o + i] = Float.float16ToFloat(src.getShort());
        }
    }

    /** Root mean square of the values in rows [from, to) of {@code layer}. */
    static double rms(KvCache cache, int layer, boolean values, int from, int to) {
        float[] data = values ? cache.pool.values[layer] : cache.pool.keys[layer];
        int width = values ? cache.pool.vDim : cache.pool.kvDim;
        double sum = 0;
        for (int t = from; t < to; t++) {
            int o = cache.row(t) * width;
            for (int i = 0; i < width; i++) sum += (double) data[o + i] * data[o + i];
        }
        return Math.sqrt(sum / ((double) (to - from) * width));
    }

    /** Fills rows [from, to) of {@code layer} with Gaussian noise of standard deviation {@code sigma}, stored as the cache stores. */
    static void fillGaussian(KvCache cache, int layer, boolean values, int from, int to, double sigma, java.util.SplittableRandom random) {
        float[] data = values ? cache.pool.values[layer] : cache.pool.keys[layer];
        int width = values ? cache.pool.vDim : cache.pool.kvDim;
        for (int t = from; t < to; t++) {
            int o = cache.row(t) * width;
            for (int i = 0; i < width; i++) data[o + i] = Float.float16ToFloat(Float.floatToFloat16((float) (random.nextGaussian() * sigma)));
        }
    }
}
