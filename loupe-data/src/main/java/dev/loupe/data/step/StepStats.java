package dev.loupe.data.step;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything one step did on one shard (or, merged, on the whole run): its counters (documents in, kept, dropped
 * per reason, changed, and the step's own) and a few examples per reason.
 */
public final class StepStats implements Serializable {
    private String name;
    private Counters counters = new Counters();
    private List<Example> examples = new ArrayList<>();
    private int examplesPerReason;

    public StepStats() {
        // for Jackson
    }

    public StepStats(String name, int examplesPerReason) {
        this.name = name;
        this.examplesPerReason = examplesPerReason;
    }

    public String getName() {
        return name;
    }

    public Map<String, Long> getCounters() {
        return counters.asMap();
    }

    public void setCounters(Map<String, Long> m) {
        counters = new Counters();
        counters.addAll(m);
    }

    public List<Example> getExamples() {
        return examples;
    }

    public void setExamples(List<Example> e) {
        examples = new ArrayList<>(e);
    }

    public int getExamplesPerReason() {
        return examplesPerReason;
    }

    public void setName(String n) {
        name = n;
    }

    public void setExamplesPerReason(int n) {
        examplesPerReason = n;
    }

    public Counters counters() {
        return counters;
    }

    public void example(Example e) {
        if (examplesPerReason <= 0) return;
        long same = examples.stream().filter(x -> x.reason().equals(e.reason())).count();
        if (same < examplesPerReason) examples.add(e);
    }

    /** Adds another shard's stats; examples keep the first shards' first, so the merge is deterministic. */
    public void merge(StepStats other) {
        counters.addAll(other.counters.asMap());
        for (Example e : other.examples) example(e);
    }

    public long count(String key) {
        return counters.get(key);
    }

    /** Drop reasons with their counts, in name order. */
    public Map<String, Long> drops() {
        Map<String, Long> m = new TreeMap<>();
        counters.asMap().forEach((k, v) -> {
            if (k.startsWith("dropped:")) m.put(k.substring("dropped:".length()), v);
        });
        return m;
    }
}
