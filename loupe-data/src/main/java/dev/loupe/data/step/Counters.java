package dev.loupe.data.step;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/** Named counts for one step on one shard. Not thread-safe: each shard task owns its own. */
public final class Counters implements Serializable {
    private final TreeMap<String, Long> counts = new TreeMap<>();

    public void inc(String name) {
        add(name, 1);
    }

    public void add(String name, long n) {
        if (n != 0) counts.merge(name, n, Long::sum);
    }

    public long get(String name) {
        return counts.getOrDefault(name, 0L);
    }

    public Map<String, Long> asMap() {
        return counts;
    }

    public void addAll(Map<String, Long> other) {
        other.forEach(this::add);
    }
}
