package dev.loupe.core.tensor;

import dev.loupe.core.gguf.GgufException;

/** A tensor whose ggml type Loupe cannot compute with. */
public final class UnsupportedTypeException extends GgufException {
    public UnsupportedTypeException(String message) {
        super(message);
    }
}
