package dev.loupe.data.io;

/** Where readers send what they could not read; the runner decides whether to count and skip or to stop. */
@FunctionalInterface
public interface InputErrors {
    void report(InputError error);
}
