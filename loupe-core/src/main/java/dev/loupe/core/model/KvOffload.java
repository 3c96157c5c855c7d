package dev.loupe.core.model;

import dev.loupe.core.LoupeException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A RAM budget for a session's KV cache and the directory its blocks beyond the budget spill to ({@code --kv-ram BYTES
 * --kv-offload-dir DIR}). See {@link SpillStorage} for how the budget is split and kept.
 *
 * @param dir      an existing, writable directory for the spill file (made at start, deleted on close)
 * @param ramBytes bytes of KV cache that may stay in RAM
 */
public record KvOffload(Path dir, long ramBytes) {
    public KvOffload {
        if (ramBytes <= 0) throw new LoupeException("the KV RAM budget must be positive, got " + ramBytes);
        if (!Files.isDirectory(dir)) throw new LoupeException("KV offload directory " + dir + " does not exist");
        if (!Files.isWritable(dir)) throw new LoupeException("KV offload directory " + dir + " is not writable");
    }
}
