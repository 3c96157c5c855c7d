package dev.loupe.core.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file mapped into memory. Tensor data is never copied: {@link #tensorData} hands out slices of
 * the one mapped segment, which stays valid until {@link #close}.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private final int version;
    private final Metadata metadata;
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> byName;
    private final long dataOffset;
    private final int alignment;

    private GgufFile(Path path, Arena arena, MemorySegment segment, GgufReader.Header h) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.version = h.version();
        this.metadata = new Metadata(h.metadata());
        this.tensors = h.tensors();
        this.byName = new LinkedHashMap<>();
        for (TensorInfo t : tensors) byName.put(t.name(), t);
        this.dataOffset = h.dataOffset();
        this.alignment = h.alignment();
    }

    /** Maps and parses {@code path}; any problem with the file is a {@link GgufException} with one clear line. */
    public static GgufFile open(Path path) {
        if (Files.isDirectory(path)) throw new GgufException(path + " is a directory, not a GGUF file");
        // A FIFO would block the open below forever, and a device cannot be mapped; only regular files are models.
        if (Files.exists(path) && !Files.isRegularFile(path)) throw new GgufException(path + " is not a regular file");
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment seg = size == 0 ? MemorySegment.NULL.reinterpret(0) : plain(ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena), arena);
            GgufReader.Header h = new GgufReader(seg).read();
            return new GgufFile(path, arena, seg, h);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new GgufException("no such file: " + path);
        } catch (IOException e) {
            arena.close();
            throw new GgufException("cannot read " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            if (e instanceof GgufException g) throw new GgufException(path.getFileName() + ": " + g.getMessage(), g);
            throw e;
        }
    }

    /**
     * The mapping as a plain native segment of the same arena (same bytes, same lifetime). The Vector API's loads are
     * intrinsics only while the segment class reaching them is known: weights repacked at load live in allocated
     * native memory, and a mapped segment (a subclass) passing through the same loads made their type profile
     * bimorphic, so C2 compiled every kernel's loads as calls (2.5x slower). One class for all weights keeps them
     * monomorphic.
     */
    private static MemorySegment plain(MemorySegment mapped, Arena arena) {
        return MemorySegment.ofAddress(mapped.address()).reinterpret(mapped.byteSize(), arena, null);
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public Metadata metadata() {
        return metadata;
    }

    public List<TensorInfo> tensors() {
        return tensors;
    }

    public long dataOffset() {
        return dataOffset;
    }

    public int alignment() {
        return alignment;
    }

    public long fileSize() {
        return segment.byteSize();
    }

    public boolean hasTensor(String name) {
        return byName.containsKey(name);
    }

    public TensorInfo tensor(String name) {
        TensorInfo t = byName.get(name);
        if (t == null) throw new GgufException(path.getFileName() + ": tensor '" + name + "' is missing");
        return t;
    }

    /** The tensor's bytes, a slice of the mapped file (no copy). */
    public MemorySegment tensorData(TensorInfo t) {
        return segment.asSlice(dataOffset + t.offset(), t.byteSize());
    }

    /**
     * Native memory freed with the file, for weights repacked at load: they live exactly as long as the mapping they
     * stand in for.
     */
    public MemorySegment allocate(long bytes) {
        return arena.allocate(bytes, 64);
    }

    /**
     * {@code bytes} of another file from {@code position}, mapped read-only as a plain native segment that lives as
     * long as this file's mapping (weights repacked into a cache file stand in for this file's tensors).
     */
    public MemorySegment map(FileChannel channel, long position, long bytes) throws IOException {
        return plain(channel.map(FileChannel.MapMode.READ_ONLY, position, bytes, arena), arena);
    }

    /** Where {@code slice}, a slice of {@link #segment}, starts in the file. */
    public long fileOffset(MemorySegment slice) {
        long off = slice.address() - segment.address();
        if (off < 0 || off + slice.byteSize() > segment.byteSize()) throw new IllegalArgumentException("not a slice of " + path);
        return off;
    }

    /** The whole mapped file. */
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public void close() {
        arena.close();
    }
}
