package dev.loupe.core.model;

import dev.loupe.core.LoupeException;

/**
 * KV rows read back from an offload file failed their check: nothing computed from them may be trusted. The blocks
 * involved are marked for rewriting, so the sequence can be recomputed from its tokens ({@link Session} does).
 */
public final class KvOffloadException extends LoupeException {
    public KvOffloadException(String message) {
        super(message);
    }
}
