package dev.loupe.core.quant;

import dev.loupe.core.parallel.RangeTask;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tensor.Codec;
import dev.loupe.core.tensor.GgmlType;

import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.Map;

/**
 * Converts a run of rows from one type to another across the pool's threads: each row is decoded to floats
 * with the source codec's scalar reference (exact for F32/F16/BF16, as llama.cpp's conversion is) and
 * re-encoded with a {@link RowQuantizer}. Rows are independent, so the bytes do not depend on the thread
 * count. Each thread keeps its own float row and quantizers, so converting allocates nothing per row.
 */
final class RowConverter implements RangeTask {
    private final ThreadPool pool;
    private final int maxCols;
    private final ThreadLocal<Scratch> scratch;

    // The job of the current run, read by every thread.
    private MemorySegment src;
    private long srcRowBytes;
    private Codec codec;
    private GgmlType target;
    private int cols;
    private long firstRow;
    private byte[] dst;
    private int dstRowBytes;

    RowConverter(ThreadPool pool, int maxCols) {
        this.pool = pool;
        this.maxCols = maxCols;
        this.scratch = ThreadLocal.withInitial(Scratch::new);
    }

    /** Converts rows [firstRow, firstRow+count) of {@code src} into {@code dst[0..count*rowBytes)}. */
    void convert(MemorySegment src, Codec codec, GgmlType target, int cols, long firstRow, int count, byte[] dst) {
        this.src = src;
        this.srcRowBytes = codec.type().rowBytes(cols);
        this.codec = codec;
        this.target = target;
        this.cols = cols;
        this.firstRow = firstRow;
        this.dst = dst;
        this.dstRowBytes = Math.toIntExact(target.rowBytes(cols));
        pool.run(this, count);
        this.src = null;
        this.dst = null;
    }

    @Override
    public void run(int from, int to) {
        Scratch s = scratch.get();
        RowQuantizer q = s.quantizer(target);
        for (int r = from; r < to; r++) {
            codec.dequantize(src, (firstRow + r) * srcRowBytes, s.row, 0, cols);
            q.quantize(s.row, 0, cols, dst, r * dstRowBytes);
        }
    }

    private final class Scratch {
        final float[] row = new float[maxCols];
        final Map<GgmlType, RowQuantizer> quantizers = new EnumMap<>(GgmlType.class);

        RowQuantizer quantizer(GgmlType t) {
            return quantizers.computeIfAbsent(t, Quantizers::create);
        }
    }
}
