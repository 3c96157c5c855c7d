package dev.loupe.think.strategy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a strategy did on one problem, as events in order: each candidate or step it generated, each score it
 * gave, each choice and why. Written as one JSONL row per problem, so a surprising answer can be traced back.
 */
public final class Trace {
    private final List<Map<String, Object>> events = new ArrayList<>();

    /** Records an event: {@code kind} then key/value pairs, e.g. {@code add("vote", "answer", "85", "count", 5)}. */
    public void add(String kind, Object... keyValues) {
        if (keyValues.length % 2 != 0) throw new IllegalArgumentException("key/value pairs expected");
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("event", kind);
        for (int i = 0; i < keyValues.length; i += 2) e.put((String) keyValues[i], keyValues[i + 1]);
        events.add(e);
    }

    public List<Map<String, Object>> events() {
        return List.copyOf(events);
    }
}
