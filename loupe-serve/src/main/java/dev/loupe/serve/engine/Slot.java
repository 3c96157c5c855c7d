package dev.loupe.serve.engine;

import dev.loupe.core.model.Session;

import java.util.Arrays;

/**
 * One KV cache of the scheduler and the tokens it holds. A slot keeps its tokens after its sequence ends, which is
 * the prefix cache: the next request that starts with the same tokens (a shared system prompt, the earlier turns of
 * a chat) rewinds to the common prefix instead of computing it again. Used by the scheduler thread only.
 */
final class Slot {
    final int index;
    final Session session;
    private int[] tokens = new int[64];
    private int length;
    private long lastUsed;
    Sequence owner;

    Slot(int index, Session session) {
        this.index = index;
        this.session = session;
    }

    boolean free() {
        return owner == null;
    }

    long lastUsed() {
        return lastUsed;
    }

    /** Length of the longest common prefix of the cached tokens and {@code prompt}. */
    int commonPrefix(int[] prompt) {
        int n = Math.min(length, prompt.length);
        int i = 0;
        while (i < n && tokens[i] == prompt[i]) i++;
        return i;
    }

    /** Keeps the first {@code n} cached tokens and forgets the rest. */
    void truncate(int n) {
        session.rewind(n);
        length = n;
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

    void release(long now) {
        owner = null;
        lastUsed = now;
    }
}
