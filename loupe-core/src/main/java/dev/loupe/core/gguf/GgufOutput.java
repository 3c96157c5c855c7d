package dev.loupe.core.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Little-endian, buffered writes to a channel, counting the bytes written so the writer can pad to
 * the alignment. Large tensor data bypasses the buffer: a mapped segment goes to the channel directly,
 * so copying a model costs no heap.
 */
final class GgufOutput {
    private static final int BUFFER = 1 << 20;
    /** Slices of a large segment handed to the channel at once; ByteBuffers are int-indexed. */
    private static final long DIRECT_CHUNK = 1L << 30;

    private final WritableByteChannel channel;
    private final ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private long written;

    GgufOutput(WritableByteChannel channel) {
        this.channel = channel;
    }

    /** Bytes written so far, buffered or not. */
    long position() {
        return written;
    }

    void u8(int v) throws IOException {
        room(1);
        buf.put((byte) v);
        written++;
    }

    void u16(int v) throws IOException {
        room(2);
        buf.putShort((short) v);
        written += 2;
    }

    void u32(int v) throws IOException {
        room(4);
        buf.putInt(v);
        written += 4;
    }

    void u64(long v) throws IOException {
        room(8);
        buf.putLong(v);
        written += 8;
    }

    void f32(float v) throws IOException {
        u32(Float.floatToRawIntBits(v));
    }

    void f64(double v) throws IOException {
        u64(Double.doubleToRawLongBits(v));
    }

    /** A GGUF string: u64 byte length, then UTF-8 bytes, no terminator. */
    void string(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        bytes(b, 0, b.length);
    }

    void bytes(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            room(1);
            int n = Math.min(len, buf.remaining());
            buf.put(b, off, n);
            off += n;
            len -= n;
            written += n;
        }
    }

    void segment(MemorySegment seg) throws IOException {
        if (seg.byteSize() < BUFFER / 4) {
            // Small slices are cheaper to copy into the buffer than to flush for.
            int n = (int) seg.byteSize();
            room(n);
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, buf.array(), buf.position(), n);
            buf.position(buf.position() + n);
            written += n;
            return;
        }
        flush();
        for (long off = 0; off < seg.byteSize(); off += DIRECT_CHUNK) {
            long n = Math.min(DIRECT_CHUNK, seg.byteSize() - off);
            drain(seg.asSlice(off, n).asByteBuffer());
            written += n;
        }
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    void pad(int alignment) throws IOException {
        long pad = (alignment - written % alignment) % alignment;
        for (long i = 0; i < pad; i++) u8(0);
    }

    void flush() throws IOException {
        buf.flip();
        drain(buf);
        buf.clear();
    }

    private void room(int n) throws IOException {
        if (buf.remaining() < n) flush();
    }

    private void drain(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) channel.write(b);
    }
}
