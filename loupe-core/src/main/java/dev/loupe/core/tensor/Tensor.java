package dev.loupe.core.tensor;

import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.TensorInfo;

import java.lang.foreign.MemorySegment;

/**
 * A typed view of a weight: {@code rows} rows of {@code cols} values each (ggml's shape[0] is {@code cols}). The data
 * is the mapped file's bytes, or, when {@code groups} is not null, the same bytes repacked at load into that row-group
 * layout (every group of 8 rows interleaved, for the decode kernels; see {@link RowGroups}).
 */
public record Tensor(String name, GgmlType type, long[] shape, MemorySegment data, Codec codec, RowGroups groups) {

    /** A tensor in the file's own layout. */
    public Tensor(String name, GgmlType type, long[] shape, MemorySegment data, Codec codec) {
        this(name, type, shape, data, codec, null);
    }

    public static Tensor of(GgufFile file, TensorInfo info) {
        return new Tensor(info.name(), info.type(), info.shape(), file.tensorData(info), Codecs.of(info.type(), info.name()));
    }

    /** This tensor with its data replaced by {@code packed}, the same bytes in {@code layout}. */
    public Tensor regrouped(RowGroups layout, MemorySegment packed) {
        if (rows() % RowGroups.ROWS != 0 || packed.byteSize() != data.byteSize() || layout.type() != type) {
            throw new IllegalArgumentException(name + " cannot take " + layout);
        }
        return new Tensor(name, type, shape, packed, codec, layout);
    }

    public int cols() {
        return (int) shape[0];
    }

    public int rows() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) n *= shape[i];
        return Math.toIntExact(n);
    }

    public long rowBytes() {
        return type.rowBytes(shape[0]);
    }

    /** Decodes row {@code row} into {@code dst[dstOff..dstOff+cols)}. */
    public void dequantizeRow(int row, float[] dst, int dstOff) {
        if (groups == null) codec.dequantize(data, row * rowBytes(), dst, dstOff, cols());
        else codec.dequantize(ungrouped(row), 0, dst, dstOff, cols());
    }

    /** Dot product of row {@code row} with {@code x[xOff..xOff+cols)}. */
    public float dotRow(int row, float[] x, int xOff) {
        if (groups == null) return codec.dot(data, row * rowBytes(), x, xOff, cols());
        return codec.dot(ungrouped(row), 0, x, xOff, cols());
    }

    private static final ThreadLocal<MemorySegment[]> ROW = ThreadLocal.withInitial(() -> new MemorySegment[1]);

    /** Row {@code row} of a grouped tensor in the file's layout, in a per-thread buffer (one row's bytes). */
    private MemorySegment ungrouped(int row) {
        MemorySegment[] holder = ROW.get();
        long rb = rowBytes();
        if (holder[0] == null || holder[0].byteSize() < rb) holder[0] = MemorySegment.ofArray(new long[(int) ((rb + 7) / 8)]);
        MemorySegment buf = holder[0];
        int g = row / RowGroups.ROWS;
        groups.unpackRow(data, (long) g * RowGroups.ROWS * rb, rb, row % RowGroups.ROWS, buf, 0);
        return buf;
    }

    /** Rows [from, from+count) as a tensor of their own, sharing the bytes (splits fused QKV or gate/up weights). */
    public Tensor rowSlice(int from, int count) {
        if (from < 0 || count <= 0 || from + count > rows()) {
            throw new IllegalArgumentException(name + ": rows [" + from + ", " + (from + count) + ") out of " + rows());
        }
        if (groups != null && (from % RowGroups.ROWS != 0 || count % RowGroups.ROWS != 0)) {
            throw new IllegalArgumentException(name + ": rows [" + from + ", " + (from + count) + ") split a group of " + RowGroups.ROWS);
        }
        long[] s = {shape[0], count};
        return new Tensor(name + "[" + from + ":" + (from + count) + "]", type, s,
                data.asSlice(from * rowBytes(), count * rowBytes()), codec, groups);
    }

    /** All values decoded; for small tensors only (norm weights, biases). */
    public float[] toFloatArray() {
        long n = (long) rows() * cols();
        if (n > 1 << 24) throw new IllegalStateException(name + " is too large to copy to the heap");
        float[] out = new float[(int) n];
        for (int r = 0; r < rows(); r++) dequantizeRow(r, out, r * cols());
        return out;
    }
}
