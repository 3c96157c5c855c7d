package dev.loupe.core.model;

import dev.loupe.core.LoupeException;

/** A saved session that was not used, and why; the message is one line for the user. */
public final class SessionFileException extends LoupeException {
    /** Why a saved session was rejected. */
    public enum Reason {
        /** Not a saved session at all (wrong magic). */
        FOREIGN,
        /** A saved session of a format version this build does not read. */
        VERSION,
        /** Saved for another model file (or the same file with other adapters, RoPE scaling or steering). */
        OTHER_MODEL,
        /** Saved from a cache of another type or shape. */
        OTHER_KV_TYPE,
        /** Shorter or longer than its header says, or a length field out of range. */
        TRUNCATED,
        /** The contents do not match their checksum. */
        CHECKSUM,
        /** The file could not be read or written. */
        IO,
        /** Not saved: a context policy evicted tokens, so the cache holds no prefix of the prompt. */
        EVICTED
    }

    private final Reason reason;

    public SessionFileException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public SessionFileException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
