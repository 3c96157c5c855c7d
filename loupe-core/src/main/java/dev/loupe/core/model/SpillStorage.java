package dev.loupe.core.model;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.AtomicFile;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * KV offload: a {@link KvStorage} whose first blocks live in RAM and the rest in a spill file, with resident memory
 * held to a budget by following the forward pass's walk over layers.
 * <p>
 * <b>Why layers.</b> A block holds every layer ({@link KvPool}'s layout), but attention reads one layer of every block
 * at a time. So the spill file is laid out layer-major (all spilled blocks' layer 0, then layer 1, ...) and a layer of
 * the spilled blocks comes back in one read into a staging area where block j's slice of layer l sits at slot
 * {@code j + l}: the segment {@link #block} hands out for block j starts at slot j, so the pool's usual offset
 * {@code l * layerBytes} lands on the staged slice and attention needs no change. Two staging areas alternate by
 * layer: while the engine computes layer l from one, a background thread reads layer l+1 into the other and checks
 * it (layer 0 is read when its step begins). What a layer writes (the step's new rows) is written back to the file when
 * the layer ends. Resident KV memory is the RAM blocks, the two staging areas (two layers of the spilled blocks) and
 * two blocks of scratch for access outside the walk (saving, restoring, copying); {@link #residentBlocks} picks the
 * most RAM blocks that keep that sum within the budget. I/O goes through the file channel (the page cache, then the
 * disk), never through a mapping, so nothing outside the budget becomes resident in this process.
 * <p>
 * <b>Checks.</b> The file starts with a header (magic, version, geometry, a random nonce) checked at each step; each
 * (block, layer) slice has a CRC32C taken when it is written back and compared on the copy that is read, before
 * attention can see it. A mismatch throws {@link KvOffloadException} and marks the slice as awaiting a rewrite, so
 * recomputing the sequence ({@link Session} does) repairs it. <b>A full disk</b> is an I/O error from a write: a
 * one-line {@link LoupeException}, the spill file is deleted, and the storage refuses further use.
 */
public final class SpillStorage implements KvStorage {
    static final byte[] MAGIC = "LOUPEKVO".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final long HEADER_BYTES = 4096;
    /** Layers of the spilled blocks resident at once: the one attention reads and the one being fetched. */
    static final int WINDOW_LAYERS = 2;
    /** Scratch blocks for access outside the layer walk: one read, one written. */
    static final int SCRATCH_BLOCKS = 2;

    private static final byte NEVER_WRITTEN = 0, CHECKED = 1, AWAITING_REWRITE = 2;

    /** Writes to the spill file (a seam for tests of a full disk). */
    @FunctionalInterface
    interface Writer {
        void write(FileChannel channel, ByteBuffer src, long position) throws IOException;
    }

    private final KvStorage ram;
    private final int firstSpilled;
    private final int count;
    private final int layers;
    private final long layerBytes;
    private final long blockBytes;
    private final Path file;
    private final FileChannel channel;
    private final Arena arena = Arena.ofShared();
    private final byte[] header;
    private final Writer writer;
    /** Two staging areas of (count + layers) slices, and each spilled block's view of both. */
    private final MemorySegment[] staging = new MemorySegment[2];
    private final MemorySegment[][] views = new MemorySegment[2][];
    private final byte[][] state;
    private final int[][] crc;
    private int highestWritten = -1;
    private final int[] dirty;
    private int dirtyCount;
    private final Scratch readScratch, writeScratch;
    private final ExecutorService fetcher;
    private final CRC32C ownerCrc = new CRC32C();
    private final CRC32C fetchCrc = new CRC32C();
    private Future<int[]> pending;
    private int pendingLayer = -1;
    /** The layer between beginLayer and endLayer, or -1; its parity picks the staging area. */
    private int currentLayer = -1;
    private int parity;
    private boolean closed;

    /** One block (or one layer of it) held for access outside the walk. */
    private final class Scratch {
        final MemorySegment mem;
        int id = -1;
        int layer; // -1: every layer
        boolean modified;

        Scratch() {
            mem = arena.allocate(blockBytes, 64);
        }

        boolean holds(int j, int l) {
            return id == j && (layer == -1 || layer == l);
        }

        void load(int j, int l) {
            flush();
            id = j;
            layer = l;
            for (int k = l < 0 ? 0 : l; k < (l < 0 ? layers : l + 1); k++) {
                MemorySegment slice = mem.asSlice(k * layerBytes, layerBytes);
                read(slice, offset(j, k));
                if (state[j][k] == CHECKED && checksum(ownerCrc, slice) != crc[j][k]) {
                    state[j][k] = AWAITING_REWRITE;
                    id = -1;
                    throw damaged(k, new int[]{j}, 1);
                }
            }
        }

        void flush() {
            if (id < 0 || !modified) return;
            for (int k = layer < 0 ? 0 : layer; k < (layer < 0 ? layers : layer + 1); k++) {
                writeBack(id, k, mem.asSlice(k * layerBytes, layerBytes));
            }
            modified = false;
        }
    }

    private SpillStorage(KvStorage ram, int firstSpilled, int blocks, int layers, long blockBytes, Path dir, Writer writer) {
        this.ram = ram;
        this.firstSpilled = firstSpilled;
        this.count = blocks - firstSpilled;
        this.layers = layers;
        this.blockBytes = blockBytes;
        this.layerBytes = blockBytes / layers;
        this.writer = writer;
        this.state = new byte[count][layers];
        this.crc = new int[count][layers];
        this.dirty = new int[count];
        this.header = header(firstSpilled, count, layers, blockBytes);
        for (int p = 0; p < 2; p++) {
            staging[p] = arena.allocate((count + layers) * layerBytes, 64);
            views[p] = new MemorySegment[count];
            for (int j = 0; j < count; j++) views[p][j] = staging[p].asSlice(j * layerBytes, blockBytes);
        }
        this.readScratch = new Scratch();
        this.writeScratch = new Scratch();
        Path f = null;
        FileChannel ch = null;
        try {
            f = Files.createTempFile(dir, "loupe-kv-", ".spill");
            f.toFile().deleteOnExit(); // a backstop: close() deletes it
            ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
            writer.write(ch, ByteBuffer.wrap(header), 0);
        } catch (IOException e) {
            closeQuietly(ch);
            deleteQuietly(f);
            arena.close();
            ram.close();
            throw new LoupeException("cannot make a KV offload file in " + dir + ": " + AtomicFile.reason(e), e);
        }
        this.file = f;
        this.channel = ch;
        this.fetcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "loupe-kv-prefetch");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Storage for {@code blocks} blocks of {@code blockBytes} ({@code layers} layers each) within {@code offload}'s
     * budget: plain off-heap memory when everything fits, else RAM blocks plus a spill file.
     */
    static KvStorage create(KvOffload offload, int blocks, long blockBytes, int layers) {
        return create(offload, blocks, blockBytes, layers, FileChannel::write);
    }

    static KvStorage create(KvOffload offload, int blocks, long blockBytes, int layers, Writer writer) {
        int r = residentBlocks(offload.ramBytes(), blocks, blockBytes, layers);
        if (r >= blocks) return KvStorage.offHeap(blocks, blockBytes);
        return new SpillStorage(KvStorage.offHeap(Math.max(r, 1), blockBytes), r, blocks, layers, blockBytes, offload.dir(),
                (ch, src, at) -> writer.write(ch, src, at));
    }

    /**
     * How many blocks stay in RAM: the most r with r·block + staging (two layers of the n - r spilled blocks and of
     * {@code layers} more slots) + two scratch blocks ≤ the budget. A budget too small for even r = 0 is a user error
     * naming the least that works.
     */
    static int residentBlocks(long ramBytes, int blocks, long blockBytes, int layers) {
        if ((long) blocks * blockBytes <= ramBytes) return blocks;
        long layer = blockBytes / layers;
        long fixed = WINDOW_LAYERS * ((long) blocks + layers) * layer + SCRATCH_BLOCKS * blockBytes;
        long perRamBlock = blockBytes - WINDOW_LAYERS * layer;
        if (perRamBlock <= 0 || ramBytes < fixed) {
            throw new LoupeException("a KV RAM budget of " + mib(ramBytes) + " is too small for this context: offloading needs at least "
                    + mib(Math.min(fixed, (long) blocks * blockBytes)) + " (" + WINDOW_LAYERS
                    + " layers of every block are in memory while attention reads them); raise --kv-ram or lower --ctx-size");
        }
        return (int) Math.min(blocks, (ramBytes - fixed) / perRamBlock);
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    /** Blocks kept in RAM; the rest are in the file. */
    public int residentBlocks() {
        return firstSpilled;
    }

    /** Bytes of memory this storage holds at most: RAM blocks, staging and scratch. */
    public long residentBytesLimit() {
        return firstSpilled * blockBytes + 2 * (count + layers) * layerBytes + SCRATCH_BLOCKS * blockBytes;
    }

    public Path file() {
        return file;
    }

    @Override
    public MemorySegment block(int id) {
        if (id < firstSpilled) return ram.block(id);
        return currentLayer >= 0 ? views[parity][id - firstSpilled] : outOfWalk(id - firstSpilled, -1, false);
    }

    @Override
    public MemorySegment readable(int id, int layer) {
        if (id < firstSpilled) return ram.block(id);
        return currentLayer >= 0 ? views[parity][id - firstSpilled] : outOfWalk(id - firstSpilled, layer, false);
    }

    @Override
    public void open(int id) {
        if (id < firstSpilled) ram.open(id);
    }

    @Override
    public MemorySegment writable(int id, int layer) {
        if (id < firstSpilled) return ram.block(id);
        int j = id - firstSpilled;
        if (currentLayer >= 0 && layer == currentLayer) {
            if (dirtyCount == 0 || dirty[dirtyCount - 1] != j) {
                boolean listed = false;
                for (int i = 0; i < dirtyCount && !listed; i++) listed = dirty[i] == j;
                if (!listed) dirty[dirtyCount++] = j;
            }
            return views[parity][j];
        }
        return outOfWalk(j, layer, true);
    }

    private MemorySegment outOfWalk(int j, int layer, boolean write) {
        checkOpen();
        awaitFetch();
        if (write) {
            if (readScratch.holds(j, layer) || readScratch.id == j) readScratch.id = -1; // about to change
            if (!writeScratch.holds(j, layer)) writeScratch.load(j, layer);
            writeScratch.modified = true;
            return writeScratch.mem;
        }
        if (writeScratch.holds(j, layer)) return writeScratch.mem;
        if (writeScratch.id == j) writeScratch.flush();
        if (!readScratch.holds(j, layer)) readScratch.load(j, layer);
        return readScratch.mem;
    }

    @Override
    public void beginLayer(int layer) {
        checkOpen();
        writeScratch.flush();
        writeScratch.id = -1;
        readScratch.id = -1;
        if (layer == 0) checkHeader();
        int[] bad = pendingLayer == layer ? awaitFetch() : fetch(layer, layer & 1, highestWritten + 1, ownerCrc);
        pendingLayer = -1;
        int failed = 0;
        for (int j : bad) {
            if (state[j][layer] != CHECKED) continue;
            // A block damaged in one layer is suspect in all (a truncated or overwritten file): every layer of it is
            // rewritten by the recomputation that follows, before anything reads it, so one recomputation does.
            for (int k = 0; k < layers; k++) if (state[j][k] == CHECKED) state[j][k] = AWAITING_REWRITE;
            bad[failed++] = j;
        }
        if (failed > 0) throw damaged(layer, bad, failed);
        currentLayer = layer;
        parity = layer & 1;
        int next = layer + 1;
        if (next < layers) {
            int n = highestWritten + 1;
            pending = fetcher.submit(() -> fetch(next, next & 1, n, fetchCrc));
            pendingLayer = next;
        }
    }

    @Override
    public void endLayer(int layer) {
        MemorySegment area = staging[parity];
        for (int i = 0; i < dirtyCount; i++) {
            int j = dirty[i];
            writeBack(j, layer, area.asSlice((j + layer) * layerBytes, layerBytes));
        }
        dirtyCount = 0;
        currentLayer = -1;
    }

    /** Reads layer {@code l} of spilled blocks [0, n) into staging area {@code p}; returns those failing their check. */
    private int[] fetch(int l, int p, int n, CRC32C sum) {
        if (n == 0) return new int[0];
        read(staging[p].asSlice(l * layerBytes, n * layerBytes), offset(0, l));
        int[] bad = new int[0];
        for (int j = 0; j < n; j++) {
            if (state[j][l] != CHECKED) continue;
            if (checksum(sum, staging[p].asSlice((j + l) * layerBytes, layerBytes)) != crc[j][l]) {
                bad = Arrays.copyOf(bad, bad.length + 1);
                bad[bad.length - 1] = j;
            }
        }
        return bad;
    }

    /** Writes slice (j, l) to the file and records its checksum. */
    private void writeBack(int j, int l, MemorySegment slice) {
        try {
            ByteBuffer b = slice.asByteBuffer();
            long at = offset(j, l);
            while (b.hasRemaining()) {
                int before = b.position();
                writer.write(channel, b, at + before);
                if (b.position() == before) throw new IOException("no progress writing");
            }
        } catch (IOException e) {
            String why = AtomicFile.reason(e);
            Path dir = file.getParent();
            close();
            throw new LoupeException("cannot spill the KV cache to " + dir + ": " + why + " (the offload file is removed)", e);
        }
        crc[j][l] = checksum(ownerCrc, slice);
        state[j][l] = CHECKED;
        if (j > highestWritten) highestWritten = j;
    }

    private void read(MemorySegment into, long at) {
        try {
            ByteBuffer b = into.asByteBuffer();
            while (b.hasRemaining()) {
                int r = channel.read(b, at + b.position());
                if (r < 0) break; // past the end: never written, reads as zeros below
            }
            if (b.hasRemaining()) into.asSlice(b.position()).fill((byte) 0);
        } catch (IOException e) {
            throw new LoupeException("cannot read the KV offload file " + file + ": " + AtomicFile.reason(e), e);
        }
    }

    private long offset(int j, int l) {
        return HEADER_BYTES + ((long) l * count + j) * layerBytes;
    }

    private static int checksum(CRC32C sum, MemorySegment slice) {
        sum.reset();
        sum.update(slice.asByteBuffer());
        return (int) sum.getValue();
    }

    private KvOffloadException damaged(int layer, int[] blocks, int n) {
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < Math.min(n, 3); i++) ids.append(i > 0 ? ", " : "").append(firstSpilled + blocks[i]);
        return new KvOffloadException("the KV offload file " + file + " is damaged: layer " + layer + " of block"
                + (n > 1 ? "s " : " ") + ids + (n > 3 ? " and " + (n - 3) + " more" : "") + " failed its checksum");
    }

    /** Waits for the background fetch, if one is running; the blocks it found damaged, or none. */
    private int[] awaitFetch() {
        Future<int[]> f = pending;
        if (f == null) return new int[0];
        pending = null;
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoupeException("interrupted while reading the KV offload file");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new LoupeException("cannot read the KV offload file " + file + ": " + e.getCause(), e.getCause());
        }
    }

    /** The header must be as written; otherwise it is rewritten and every slice awaits recomputation. */
    private void checkHeader() {
        byte[] now = new byte[header.length];
        read(MemorySegment.ofArray(now), 0);
        if (Arrays.equals(now, header)) return;
        try {
            writer.write(channel, ByteBuffer.wrap(header), 0);
        } catch (IOException e) {
            throw new LoupeException("cannot repair the KV offload file " + file + ": " + AtomicFile.reason(e), e);
        }
        for (byte[] s : state) for (int l = 0; l < layers; l++) if (s[l] == CHECKED) s[l] = AWAITING_REWRITE;
        throw new KvOffloadException("the KV offload file " + file + " was changed by something else (its header)");
    }

    private void checkOpen() {
        if (closed) throw new LoupeException("the KV offload file was closed after an error; start a new session");
    }

    private static byte[] header(int firstSpilled, int count, int layers, long blockBytes) {
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(layers).putLong(blockBytes).putInt(firstSpilled).putInt(count)
                .putLong(ThreadLocalRandom.current().nextLong()); // this file belongs to this pool, not a leftover
        return b.array();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        fetcher.shutdownNow();
        try {
            if (pending != null) pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException ignored) {
            // closing: what the fetch found no longer matters
        }
        closeQuietly(channel);
        deleteQuietly(file);
        arena.close();
        ram.close();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) ch.close();
        } catch (IOException ignored) {
            // the file is deleted next; nothing more to do
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            if (f != null) Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // deleteOnExit stays as the backstop
        }
    }

    /** For tests: where slice (block id, layer) sits in the spill file. */
    long fileOffset(int id, int layer) {
        return offset(id - firstSpilled, layer);
    }
}
