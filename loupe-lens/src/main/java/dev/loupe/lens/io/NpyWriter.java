package dev.loupe.lens.io;

import dev.loupe.core.gguf.AtomicFile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * NumPy's {@code .npy} format, version 1.0, little-endian float32, C order: magic {@code \x93NUMPY}, version
 * bytes 1 0, a 2-byte header length, an ASCII dict padded with spaces and a newline so the data starts at a
 * multiple of 64 bytes, then the raw values. {@code numpy.load} and {@code torch.from_numpy} read it.
 */
public final class NpyWriter {
    private NpyWriter() {}

    /** The header bytes (magic through the newline) for a float32 array of {@code shape}. */
    public static byte[] header(int[] shape) {
        StringBuilder dims = new StringBuilder();
        for (int d : shape) dims.append(d).append(", ");
        String tuple = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + dims.substring(0, dims.length() - 2) + ")";
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple + ", }";
        int unpadded = 10 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        String padded = dict + " ".repeat(total - unpadded) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) (total - 10));
        b.put(padded.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    public static void write(Path target, int[] shape, float[] data) {
        byte[] header = header(shape);
        AtomicFile.write(target, ch -> {
            ch.write(ByteBuffer.wrap(header));
            Floats.writeLittleEndian(ch, data);
        });
    }
}
