package dev.loupe.lens.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/** Float arrays to little-endian bytes on a channel, in chunks so a large activation needs no second copy. */
final class Floats {
    private Floats() {}

    static void writeLittleEndian(WritableByteChannel ch, float[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; ) {
            buf.clear();
            int n = Math.min(data.length - i, buf.capacity() / 4);
            buf.asFloatBuffer().put(data, i, n);
            buf.limit(n * 4);
            while (buf.hasRemaining()) ch.write(buf);
            i += n;
        }
    }
}
