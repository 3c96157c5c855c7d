package dev.loupe.core.tensor;

import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.TensorInfo;

import java.lang.foreign.MemorySegment;

/**
 * A typed view of a weight in the mapped file: {@code rows} rows of {@code cols} values each
 * (ggml's shape[0] is {@code cols}). Holds no copy of the data.
 */
public record Tensor(String name, GgmlType type, long[] shape, MemorySegment data, Codec codec) {

    public static Tensor of(GgufFile file, TensorInfo info) {
        return new Tensor(info.name(), info.type(), info.shape(), file.tensorData(info), Codecs.of(info.type(), info.name()));
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
        codec.dequantize(data, row * rowBytes(), dst, dstOff, cols());
    }

    /** Dot product of row {@code row} with {@code x[xOff..xOff+cols)}. */
    public float dotRow(int row, float[] x, int xOff) {
        return codec.dot(data, row * rowBytes(), x, xOff, cols());
    }

    /** Rows [from, from+count) as a tensor of their own, sharing the bytes (splits fused QKV or gate/up weights). */
    public Tensor rowSlice(int from, int count) {
        if (from < 0 || count <= 0 || from + count > rows()) {
            throw new IllegalArgumentException(name + ": rows [" + from + ", " + (from + count) + ") out of " + rows());
        }
        long[] s = {shape[0], count};
        return new Tensor(name + "[" + from + ":" + (from + count) + "]", type, s,
                data.asSlice(from * rowBytes(), count * rowBytes()), codec);
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
