package dev.loupe.core.sample.constrain;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Every token's bytes in one trie, stored in preorder: node i has a byte {@link #label}, a {@link #depth}, the end of
 * its subtree ({@link #subtreeEnd}) and the tokens whose bytes end there. A walk that finds a byte refused skips the
 * whole subtree, so one step tests each shared prefix once instead of every token from its first byte.
 */
final class TokenTrie {
    /** Node 0 is the root (the empty prefix); it holds no tokens. */
    final byte[] label;
    final int[] depth;
    final int[] subtreeEnd;
    /** Tokens ending at node i are {@code tokens[tokenStart[i] .. tokenStart[i + 1])}. */
    final int[] tokenStart;
    final int[] tokens;

    /** @param bytes per token id, its bytes; null or empty tokens are left out */
    TokenTrie(byte[][] bytes) {
        Integer[] order = new Integer[bytes.length];
        int m = 0;
        for (int id = 0; id < bytes.length; id++) if (bytes[id] != null && bytes[id].length > 0) order[m++] = id;
        Integer[] ids = Arrays.copyOf(order, m);
        Arrays.sort(ids, Comparator.comparing((Integer id) -> bytes[id], Arrays::compareUnsigned).thenComparing(id -> id));
        int maxNodes = 1;
        for (Integer id : ids) maxNodes += bytes[id].length;
        byte[] lab = new byte[maxNodes];
        int[] dep = new int[maxNodes];
        int[] end = new int[maxNodes];
        int[] start = new int[maxNodes + 1];
        int[] toks = new int[m];
        int[] path = new int[maxLength(bytes) + 1]; // node at each depth of the current token's path
        int nodes = 1, t = 0, pathLength = 1;
        byte[] previous = new byte[0];
        for (Integer id : ids) {
            byte[] b = bytes[id];
            int common = commonPrefix(previous, b);
            // Close the nodes of the previous path deeper than the shared prefix.
            for (int d = pathLength - 1; d > common; d--) end[path[d]] = nodes;
            pathLength = common + 1;
            for (int d = common; d < b.length; d++) {
                lab[nodes] = b[d];
                dep[nodes] = d + 1;
                start[nodes] = t;
                path[pathLength++] = nodes++;
            }
            toks[t++] = id;
            previous = b;
        }
        for (int d = pathLength - 1; d >= 0; d--) end[path[d]] = nodes;
        // tokenStart[i+1] of a node is where the next node's tokens start: fill forwards.
        start[nodes] = t;
        for (int i = nodes - 1; i >= 1; i--) if (start[i] > start[i + 1]) start[i] = start[i + 1];
        start[0] = 0;
        this.label = Arrays.copyOf(lab, nodes);
        this.depth = Arrays.copyOf(dep, nodes);
        this.subtreeEnd = Arrays.copyOf(end, nodes);
        this.tokenStart = Arrays.copyOf(start, nodes + 1);
        this.tokens = toks;
    }

    int size() {
        return label.length;
    }

    private static int maxLength(byte[][] bytes) {
        int m = 0;
        for (byte[] b : bytes) if (b != null) m = Math.max(m, b.length);
        return m;
    }

    private static int commonPrefix(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }
}
