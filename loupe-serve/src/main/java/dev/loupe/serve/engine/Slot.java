package dev.loupe.serve.engine;

import dev.loupe.core.model.Session;

import java.util.Arrays;

/**
 * One sequence's place in the scheduler: a {@link Session} whose cache is a block table on the shared pool, the
 * tokens fed through it, and how many of its full blocks are in the {@link PrefixCache} already. A slot holds no
 * memory between sequences: {@link #clear} gives every block back (the cached ones stay cached). Used by the
 * scheduler thread only.
 */
final class Slot {
    final int index;
    final Session session;
    private final int blockSize;
    private int[] tokens = new int[64];
    private int length;
    /** Leading full blocks already registered in the prefix cache, and the chain hash after the last one. */
    private int registered;
    private long chainHash;
    Sequence owner;

    Slot(int index, Session session, int blockSize) {
        this.index = index;
        this.session = session;
        this.blockSize = blockSize;
    }

    boolean free() {
        return owner == null;
    }

    /**
     * Starts from {@code count} cached blocks holding {@code tokens[0, count * blockSize)}, in the chain of block
     * hashes that starts at {@code root} (0, or a steered sequence's fingerprint: see PrefixCache).
     */
    void adopt(long root, int[] blocks, int count, int[] ids) {
        session.adoptPrefix(blocks, count);
        fed(ids, 0, count * blockSize);
        registered = count;
        chainHash = root;
        for (int i = 0; i < count; i++) chainHash = PrefixCache.hash(chainHash, ids, i * blockSize, blockSize);
    }

    /** Records tokens just fed through the model (the session has already advanced past them). */
    void fed(int[] ids, int from, int n) {
        if (length + n > tokens.length) tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, length + n));
        System.arraycopy(ids, from, tokens, length, n);
        length += n;
    }

    void fed(int id) {
        if (length == tokens.length) tokens = Arrays.copyOf(tokens, tokens.length * 2);
        tokens[length++] = id;
    }

    /** The tokens fed so far (a copy): what a preempted sequence must compute again. */
    int[] tokens() {
        return Arrays.copyOf(tokens, length);
    }

    /** Hands the blocks filled since the last call to the prefix cache, so later prompts can share them. */
    void publish(PrefixCache cache) {
        int full = length / blockSize;
        if (full <= registered) return;
        int[] ids = session.blockIds();
        for (; registered < full; registered++) {
            chainHash = cache.register(chainHash, tokens, registered * blockSize, ids[registered]);
        }
    }

    /** Gives every block back to the pool and forgets the tokens. */
    void clear() {
        session.rewind(0);
        length = 0;
        registered = 0;
        chainHash = 0;
        owner = null;
    }
}
