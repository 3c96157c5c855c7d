package dev.loupe.core.model;

import dev.loupe.core.gguf.GgufException;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.tensor.RowGroups;
import dev.loupe.core.tensor.Tensor;
import dev.loupe.core.tensor.act.ActivationDots;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Repacks a model's matrices into their type's {@link RowGroups} layout at load, for the 8-row decode kernels
 * (llama.cpp repacks Q4_0 and Q4_K likewise on AVX2 machines). The file is read with plain reads, a chunk at a
 * time, not through the mapping: the mapped pages of a repacked tensor are then never touched, so the process holds
 * each weight byte once (the repacked copy) and resident memory stays the file's size. Types without a layout, and
 * matrices whose row count is not a whole number of groups, stay mapped as they are.
 *
 * <p>{@code -Dloupe.repack=false} turns it off (every matrix then runs the row kernels straight from the mapping).
 */
final class Regrouper implements AutoCloseable {
    /** Read per chunk: whole groups of up to this many bytes. */
    private static final long CHUNK = 4 << 20;

    private final GgufFile file;
    private final boolean enabled;
    private FileChannel channel;
    private Arena arena;
    private MemorySegment buffer;
    /** The chunk as read, and packed: the packing runs on arrays. */
    private byte[] in, out;

    Regrouper(GgufFile file) {
        this.file = file;
        this.enabled = enabled();
    }

    /** Whether matrices are repacked: unless {@code -Dloupe.repack=false}. */
    static boolean enabled() {
        return !"false".equals(System.getProperty("loupe.repack"));
    }

    /**
     * {@code t} repacked, or {@code t} itself when its type has no layout or its rows are not whole groups; a fused
     * matrix that will be split at rows {@code splits} is repacked only if those are group boundaries too.
     */
    Tensor apply(Tensor t, int... splits) {
        RowGroups layout = RowGroups.of(t.type());
        if (!enabled || layout == null || !ActivationDots.supportsGroups(t.type()) || t.rows() % RowGroups.ROWS != 0) return t;
        for (int s : splits) if (s % RowGroups.ROWS != 0) return t;
        long groupBytes = RowGroups.ROWS * t.rowBytes();
        long groups = t.rows() / RowGroups.ROWS;
        int perChunk = (int) Math.max(1, CHUNK / groupBytes);
        MemorySegment packed = file.allocate(t.data().byteSize());
        long from = file.fileOffset(t.data());
        MemorySegment buf = buffer(perChunk * groupBytes);
        int rowBytes = (int) t.rowBytes();
        for (long g0 = 0; g0 < groups; g0 += perChunk) {
            int n = (int) Math.min(perChunk, groups - g0);
            long bytes = n * groupBytes;
            read(from + g0 * groupBytes, buf, bytes);
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, in, 0, (int) bytes);
            layout.pack(in, out, n, rowBytes);
            MemorySegment.copy(out, 0, packed, ValueLayout.JAVA_BYTE, g0 * groupBytes, (int) bytes);
        }
        return t.regrouped(layout, packed);
    }

    private MemorySegment buffer(long bytes) {
        if (buffer == null || buffer.byteSize() < bytes) {
            if (arena != null) arena.close();
            arena = Arena.ofConfined();
            long size = Math.max(bytes, CHUNK);
            buffer = arena.allocate(size, 64);
            in = new byte[(int) size];
            out = new byte[(int) size];
        }
        return buffer;
    }

    private void read(long position, MemorySegment dst, long bytes) {
        try {
            if (channel == null) channel = FileChannel.open(file.path(), StandardOpenOption.READ);
            ByteBuffer b = dst.asSlice(0, bytes).asByteBuffer();
            while (b.hasRemaining()) {
                if (channel.read(b, position + b.position()) < 0) throw new GgufException(file.path() + ": ended while reading weights");
            }
        } catch (IOException e) {
            throw new GgufException("cannot read " + file.path() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // read-only: nothing is lost
        }
        if (arena != null) arena.close();
    }
}
