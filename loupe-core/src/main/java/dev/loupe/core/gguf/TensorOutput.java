package dev.loupe.core.gguf;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Where a {@link TensorSource} writes one tensor's data. It refuses to write past the tensor's byte size,
 * because a source that writes too much would silently shift every later tensor.
 */
public final class TensorOutput extends OutputStream {
    private final GgufOutput out;
    private final String name;
    private final long size;
    private long written;

    TensorOutput(GgufOutput out, String name, long size) {
        this.out = out;
        this.name = name;
        this.size = size;
    }

    @Override
    public void write(int b) throws IOException {
        reserve(1);
        out.u8(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        reserve(len);
        out.bytes(b, off, len);
    }

    public void write(MemorySegment seg) throws IOException {
        reserve(seg.byteSize());
        out.segment(seg);
    }

    /** Bytes still expected. */
    public long remaining() {
        return size - written;
    }

    /** Called by the writer after the source returns. */
    void finish() {
        if (written != size) {
            throw new IllegalStateException("tensor '" + name + "' source wrote " + written + " bytes, expected " + size);
        }
    }

    private void reserve(long n) {
        if (n > size - written) {
            throw new IllegalStateException("tensor '" + name + "' source writes more than its " + size + " bytes");
        }
        written += n;
    }
}
