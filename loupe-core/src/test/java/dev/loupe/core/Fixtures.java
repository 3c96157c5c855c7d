package dev.loupe.core;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared fixtures are: the {@code loupe.shared} system property (set by the build to
 * {@code ../shared} beside the repository). A missing directory fails the test loudly; tests never
 * skip because a reference is absent.
 */
public final class Fixtures {
    private Fixtures() {}

    public static Path shared() {
        String p = System.getProperty("loupe.shared");
        if (p == null) throw new IllegalStateException("system property loupe.shared is not set (run tests through Maven)");
        Path dir = Path.of(p).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("fixtures"))) {
            throw new IllegalStateException("shared fixtures not found at " + dir + " (expected ../shared beside the repository)");
        }
        return dir;
    }

    public static Path vocab(String name) {
        return shared().resolve("fixtures/vocab").resolve(name);
    }

    public static Path model(String name) {
        return shared().resolve("fixtures/models").resolve(name);
    }

    public static Path reference(String name) {
        return shared().resolve("fixtures/reference").resolve(name);
    }
}
