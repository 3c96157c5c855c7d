package dev.loupe.data;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One document flowing through a pipeline. Immutable: steps return a changed copy, so a step can never alter
 * what an earlier step (or a report example) still holds.
 *
 * @param id       the input's id, or {@code file:line} when the input has none
 * @param text     the content
 * @param metadata every other input field plus annotations, in insertion order (written back out in that order)
 * @param key      position in the input, for global steps
 */
public record Document(String id, String text, Map<String, Object> metadata, DocKey key) implements Serializable {
    public Document {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    public Document withText(String newText) {
        return new Document(id, newText, metadata, key);
    }

    public Document with(String metaKey, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(metadata);
        m.put(metaKey, value);
        return new Document(id, text, m, key);
    }
}
