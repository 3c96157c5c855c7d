package dev.loupe.data;

import java.io.Serializable;

/**
 * Where a document sits in the input: the shard (input file) and its ordinal within that shard. Stable across
 * runs, so global steps (dedup) can name documents and a resumed run decides exactly as the first one did.
 */
public record DocKey(int shard, long ordinal) implements Comparable<DocKey>, Serializable {
    @Override
    public int compareTo(DocKey o) {
        int c = Integer.compare(shard, o.shard);
        return c != 0 ? c : Long.compare(ordinal, o.ordinal);
    }
}
