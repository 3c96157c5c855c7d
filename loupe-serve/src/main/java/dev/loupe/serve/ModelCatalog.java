package dev.loupe.serve;

import dev.loupe.core.LoupeException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The models folder: every {@code *.gguf} file in it is a model named by its file name without the extension,
 * as Ollama users expect to name models ({@code loupe serve --model qwen2.5-0.5b}).
 */
public final class ModelCatalog {
    /** One model file in the folder. */
    public record Entry(String name, Path path, long size, Instant modified) {}

    private final Path dir;

    public ModelCatalog(Path dir) {
        this.dir = dir;
    }

    /** {@code $LOUPE_MODELS}, else the {@code models} folder of the Loupe installation, else ./models. */
    public static Path defaultDir() {
        String env = System.getenv("LOUPE_MODELS");
        if (env != null && !env.isBlank()) return Path.of(env);
        String home = System.getProperty("loupe.home");
        return (home != null ? Path.of(home) : Path.of(".")).resolve("models");
    }

    public Path dir() {
        return dir;
    }

    public List<Entry> list() {
        if (!Files.isDirectory(dir)) return List.of();
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(ModelCatalog::isModel).toList()) out.add(entry(p));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the models folder " + dir, e);
        }
        out.sort(Comparator.comparing(Entry::name));
        return out;
    }

    public Optional<Entry> find(String name) {
        String n = name.endsWith(":latest") ? name.substring(0, name.length() - ":latest".length()) : name;
        return list().stream().filter(e -> e.name().equals(n) || e.path().getFileName().toString().equals(n)).findFirst();
    }

    /** A path to an existing file, or the name of a model in the folder. */
    public Path resolve(String pathOrName) {
        Path p = Path.of(pathOrName);
        if (Files.isRegularFile(p)) return p;
        return find(pathOrName).map(Entry::path).orElseThrow(() -> new LoupeException("no model file or model named '"
                + pathOrName + "' in " + dir + " (models there: " + String.join(", ", list().stream().map(Entry::name).toList()) + ")"));
    }

    public static String nameOf(Path file) {
        String f = file.getFileName().toString();
        return f.endsWith(".gguf") ? f.substring(0, f.length() - ".gguf".length()) : f;
    }

    public static Entry entry(Path p) {
        try {
            return new Entry(nameOf(p), p, Files.size(p), Files.getLastModifiedTime(p).toInstant());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }

    private static boolean isModel(Path p) {
        return Files.isRegularFile(p) && p.getFileName().toString().endsWith(".gguf");
    }
}
