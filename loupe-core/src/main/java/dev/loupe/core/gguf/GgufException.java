package dev.loupe.core.gguf;

import dev.loupe.core.LoupeException;

/**
 * A GGUF file that cannot be read as asked: bad magic, truncation, hostile lengths, unknown types.
 * The message is one line meant for the user; callers at the CLI turn it into exit code 2.
 */
public class GgufException extends LoupeException {
    public GgufException(String message) {
        super(message);
    }

    public GgufException(String message, Throwable cause) {
        super(message, cause);
    }
}
