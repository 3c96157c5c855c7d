package dev.loupe.core;

/**
 * A problem with what the user gave Loupe (a file, a prompt, an option), as opposed to a bug.
 * Its message is one line for the user; the CLI prints it and exits with code 2.
 */
public class LoupeException extends RuntimeException {
    public LoupeException(String message) {
        super(message);
    }

    public LoupeException(String message, Throwable cause) {
        super(message, cause);
    }
}
