package dev.loupe.lens;

import dev.loupe.core.model.Model;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared fixture models (../shared/fixtures); a missing directory fails loudly, never skips. */
final class TestModels {
    private TestModels() {}

    static Path shared() {
        String p = System.getProperty("loupe.shared");
        if (p == null) throw new IllegalStateException("system property loupe.shared is not set (run tests through Maven)");
        Path dir = Path.of(p).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("fixtures"))) throw new IllegalStateException("shared fixtures not found at " + dir);
        return dir;
    }

    static Model load(String name) {
        return Model.load(shared().resolve("fixtures/models").resolve(name + ".gguf"));
    }

    static Path reference(String name) {
        return shared().resolve("fixtures/reference").resolve(name);
    }
}
