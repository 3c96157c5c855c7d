package dev.loupe.core.model;

import dev.loupe.core.gguf.GgufException;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.TensorInfo;
import dev.loupe.core.tensor.GgmlType;
import dev.loupe.core.tensor.RowGroups;
import dev.loupe.core.tensor.Tensor;
import dev.loupe.core.tensor.act.ActivationDots;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Repacks a model's matrices into their type's {@link RowGroups} layout at load, for the 8-row decode kernels
 * (llama.cpp repacks Q4_0 and Q4_K likewise on AVX2 machines). The file is read with plain reads, a chunk at a
 * time, not through the mapping: the mapped pages of a repacked tensor are then never touched, so the process holds
 * each weight byte once (the repacked copy) and resident memory stays the file's size. Types without a layout, and
 * matrices whose row count is not a whole number of groups, stay mapped as they are.
 *
 * <p>The repacked matrices are written to a {@link RepackCache} file as they are made and mapped from there, so the
 * next load of the same file maps them instead of repacking (~2 s of a core for a 1B model); without a usable cache
 * directory they are repacked into native memory, as before.
 *
 * <p>{@code -Dloupe.repack=false} turns it off (every matrix then runs the row kernels straight from the mapping).
 */
final class Regrouper implements AutoCloseable {
    /** Read per chunk: whole groups of up to this many bytes. */
    private static final long CHUNK = 4 << 20;
    /** Below this much repacking, a first load says nothing about the cache it writes. */
    private static final long QUIET_BYTES = 64L << 20;

    private final GgufFile file;
    private final boolean enabled;
    private FileChannel channel;
    private Arena arena;
    private MemorySegment buffer;
    /** The chunk as read, and packed: the packing runs on arrays. */
    private byte[] in, out;
    /** A complete cache of this file (tensors are found there), or one being written (tensors are added), or neither. */
    private RepackCache.Reader cached;
    private RepackCache.Writer writing;
    private boolean kept;

    /** Where this load's repacked matrices come from or go. */
    enum Cache { MAPPED, WRITTEN, NONE }

    Regrouper(GgufFile file) {
        this(file, RepackCache.directory());
    }

    /** With the cache in {@code cacheDir} (null: none). */
    Regrouper(GgufFile file, Path cacheDir) {
        this.file = file;
        this.enabled = enabled();
        if (enabled && cacheDir != null) openCache(cacheDir);
    }

    /** Whether this load maps a cache, is writing one (until {@link #close}), or repacks into memory. */
    Cache cache() {
        return cached != null ? Cache.MAPPED : writing != null ? Cache.WRITTEN : Cache.NONE;
    }

    /** Whether matrices are repacked: unless {@code -Dloupe.repack=false}. */
    static boolean enabled() {
        return !"false".equals(System.getProperty("loupe.repack"));
    }

    private void openCache(Path dir) {
        long bytes = 0;
        int count = 0;
        for (TensorInfo t : file.tensors()) {
            if (t.shape().length == 2 && eligible(t.type()) && t.shape()[1] % RowGroups.ROWS == 0) {
                bytes += t.byteSize();
                count++;
            }
        }
        if (count == 0) return;
        RepackCache.Key key;
        try {
            key = RepackCache.Key.of(file);
        } catch (IOException | RuntimeException e) {
            return; // no real path or attributes (a vanished file): repack in memory
        }
        cached = RepackCache.Reader.open(file, dir.resolve(key.fileName()), key);
        if (cached != null) return;
        try {
            writing = RepackCache.Writer.create(file, dir, key, bytes, count);
            if (bytes >= QUIET_BYTES) {
                System.err.printf("loupe: repacking %s for this CPU's kernels into %s (%d MiB, once per model file)%n",
                        file.path().getFileName(), writing.target(), bytes >> 20);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("loupe: not caching repacked weights in " + dir + " (" + reason(e) + "); repacking in memory at every load");
        }
    }

    private static boolean eligible(GgmlType type) {
        return RowGroups.of(type) != null && ActivationDots.supportsGroups(type);
    }

    /**
     * {@code t} repacked, or {@code t} itself when its type has no layout or its rows are not whole groups; a fused
     * matrix that will be split at rows {@code splits} is repacked only if those are group boundaries too.
     */
    Tensor apply(Tensor t, int... splits) {
        RowGroups layout = RowGroups.of(t.type());
        if (!enabled || layout == null || !eligible(t.type()) || t.rows() % RowGroups.ROWS != 0) return t;
        for (int s : splits) if (s % RowGroups.ROWS != 0) return t;
        long from = file.fileOffset(t.data());
        long size = t.data().byteSize();
        if (cached != null) {
            MemorySegment hit = cached.find(from, size);
            if (hit != null) return t.regrouped(layout, hit);
        }
        if (writing != null) {
            long start = writing.begin();
            try {
                pack(t, layout, from, null);
                return t.regrouped(layout, writing.end(start, from));
            } catch (IOException | RuntimeException e) {
                System.err.println("loupe: stopped caching repacked weights (" + reason(e) + "); repacking in memory");
                writing.abort();
                writing = null;
            }
        }
        MemorySegment packed = file.allocate(size);
        pack(t, layout, from, packed);
        return t.regrouped(layout, packed);
    }

    /** Packs {@code t} (at {@code from} in the file) into {@code packed}, or onto the cache being written if null. */
    private void pack(Tensor t, RowGroups layout, long from, MemorySegment packed) {
        long groupBytes = RowGroups.ROWS * t.rowBytes();
        long groups = t.rows() / RowGroups.ROWS;
        int perChunk = (int) Math.max(1, CHUNK / groupBytes);
        MemorySegment buf = buffer(perChunk * groupBytes);
        int rowBytes = (int) t.rowBytes();
        for (long g0 = 0; g0 < groups; g0 += perChunk) {
            int n = (int) Math.min(perChunk, groups - g0);
            long bytes = n * groupBytes;
            read(from + g0 * groupBytes, buf, bytes);
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, in, 0, (int) bytes);
            layout.pack(in, out, n, rowBytes);
            if (packed != null) {
                MemorySegment.copy(out, 0, packed, ValueLayout.JAVA_BYTE, g0 * groupBytes, (int) bytes);
            } else {
                MemorySegment.copy(out, 0, buf, ValueLayout.JAVA_BYTE, 0, (int) bytes);
                try {
                    writing.append(buf.asSlice(0, bytes));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
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

    private static String reason(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Marks the load complete: {@link #close} then commits a cache being written (else drops it). */
    void keep() {
        kept = true;
    }

    /**
     * Commits a cache being written, in the background (see {@link RepackCache.Writer#commitInBackground}), so the next
     * load maps it; a load that failed ({@link #keep} not called) drops it instead.
     */
    @Override
    public void close() {
        if (writing != null) {
            if (kept) writing.commitInBackground();
            else writing.abort();
            writing = null;
        }
        try {
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // read-only: nothing is lost
        }
        if (arena != null) arena.close();
    }
}
