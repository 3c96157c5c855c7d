package dev.loupe.data.pipeline;

import dev.loupe.data.io.InputFormat;

import java.io.Serializable;
import java.util.List;

/**
 * What to read. Each path is a file, a directory (its files, sorted) or a glob ({@code data/*.jsonl.gz}); each
 * file becomes one shard, the unit of parallel work and of resuming.
 *
 * @param format  {@code jsonl}, {@code text} (paragraphs), {@code lines}, {@code file}; null guesses by extension
 * @param textKey JSONL field holding the text (default {@code text})
 * @param idKey   JSONL field holding the id (default {@code id}); absent ids become {@code file:line}
 */
public record InputSpec(List<String> paths, InputFormat format, String textKey, String idKey) implements Serializable {
    public InputSpec {
        if (paths == null || paths.isEmpty()) throw new dev.loupe.core.LoupeException("input.paths is empty: name at least one file");
        paths = List.copyOf(paths);
        textKey = textKey == null ? "text" : textKey;
        idKey = idKey == null ? "id" : idKey;
    }
}
