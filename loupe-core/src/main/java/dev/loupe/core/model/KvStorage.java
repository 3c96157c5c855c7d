package dev.loupe.core.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;

/**
 * Where the bytes of a {@link KvPool}'s blocks live: the one seam between the cache's layout (what is at which offset
 * of a block, {@link KvPool}) and its memory. Attention and the row API reach a block only through {@link #block},
 * so a store that keeps some blocks in a file mapping (KV offload) plugs in here without touching either.
 * <p>
 * A block is {@code blockBytes} bytes; its contents are undefined until written. {@link #block} is called in hot loops
 * from many threads at once and must be cheap; {@link #open} is called (on the pool's owner thread) each time the pool
 * hands a block out, before anything reads or writes it.
 */
public interface KvStorage extends AutoCloseable {
    /** Block {@code id}'s bytes; only for a block opened since the store was made. */
    MemorySegment block(int id);

    /** Makes block {@code id} usable (allocating it on first use). */
    void open(int id);

    /**
     * Block {@code id}'s bytes, to be read in {@code layer} only (-1: any layers), outside the forward pass's layer walk
     * (saving, copying); by default the same as {@link #block}.
     */
    default MemorySegment readable(int id, int layer) {
        return block(id);
    }

    /**
     * Block {@code id}'s bytes, about to be written in {@code layer} (-1: any layers). A store that checks what it
     * reads back (KV offload) learns here what it must checksum again; by default the same as {@link #block}.
     */
    default MemorySegment writable(int id, int layer) {
        return block(id);
    }

    /**
     * The forward pass is about to write and attend {@code layer} of its blocks (layers come in order, each ended by
     * {@link #endLayer}); a store that keeps blocks on disk has them ready, checked, by the time this returns. Owner
     * thread; nothing by default.
     */
    default void beginLayer(int layer) {}

    /** The forward pass is done with {@code layer} until its next step (an offloading store may release it). */
    default void endLayer(int layer) {}

    /** Frees every block; segments handed out before become inaccessible. */
    @Override
    void close();

    /** Off-heap memory taken a block at a time as the pool first hands each out, all freed on {@link #close}. */
    static KvStorage offHeap(int blocks, long blockBytes) {
        return new OffHeap(blocks, blockBytes);
    }

    /**
     * Blocks allocated lazily from one shared arena (the attention threads read them), so a long context costs memory
     * only as far as it is used. A session nobody closes still gives its memory back: a cleaner closes the arena
     * once the store is unreachable.
     */
    final class OffHeap implements KvStorage {
        private static final Cleaner CLEANER = Cleaner.create();
        /** Blocks start on a cache line, so a row never shares one with another block's. */
        private static final long ALIGN = 64;

        private final Arena arena = Arena.ofShared();
        private final MemorySegment[] segments;
        private final long blockBytes;
        private final Cleaner.Cleanable cleanable;

        private OffHeap(int blocks, long blockBytes) {
            this.segments = new MemorySegment[blocks];
            this.blockBytes = blockBytes;
            Arena a = arena;
            this.cleanable = CLEANER.register(this, a::close);
        }

        @Override
        public MemorySegment block(int id) {
            return segments[id];
        }

        @Override
        public void open(int id) {
            if (segments[id] == null) segments[id] = arena.allocate(blockBytes, ALIGN);
        }

        @Override
        public void close() {
            cleanable.clean();
        }
    }
}
