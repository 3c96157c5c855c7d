package dev.loupe.train;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared Tiny Shakespeare corpus, read in place (never copied into the repository). */
public final class TestData {
    private TestData() {}

    public static Path shakespeare() {
        Path p = Path.of(System.getProperty("loupe.shared", "../shared"), "data", "tinyshakespeare", "input.txt");
        // A missing corpus fails the test (never a silent skip): ./test checks that ../shared is there.
        if (!Files.isRegularFile(p)) throw new AssertionError("Tiny Shakespeare not found at " + p + " (set -Dloupe.shared)");
        return p;
    }

    /** A random-weight model from the shared fixtures (e.g. "tiny-llama-f32"), read in place. */
    public static Path fixtureModel(String name) {
        Path p = Path.of(System.getProperty("loupe.shared", "../shared"), "fixtures", "models", name + ".gguf");
        if (!Files.isRegularFile(p)) throw new AssertionError("fixture model not found at " + p + " (set -Dloupe.shared)");
        return p;
    }
}
