package dev.loupe.train;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared Tiny Shakespeare corpus, read in place (never copied into the repository). */
public final class TestData {
    private TestData() {}

    public static Path shakespeare() {
        Path p = Path.of(System.getProperty("loupe.shared", "../shared"), "data", "tinyshakespeare", "input.txt");
        Assumptions.assumeTrue(Files.isRegularFile(p), "Tiny Shakespeare not found at " + p);
        return p;
    }
}
