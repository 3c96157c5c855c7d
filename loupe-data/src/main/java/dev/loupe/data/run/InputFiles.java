package dev.loupe.data.run;

import dev.loupe.core.LoupeException;
import dev.loupe.data.pipeline.InputSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Expands the input paths into the sorted list of files; the index in that list is the shard number. */
public final class InputFiles {
    private InputFiles() {}

    public static List<String> expand(InputSpec in) {
        List<String> files = new ArrayList<>();
        for (String p : in.paths()) {
            int star = indexOfGlob(p);
            if (star >= 0) files.addAll(glob(p, star));
            else {
                Path path = Path.of(p);
                if (Files.isDirectory(path)) files.addAll(listDir(path));
                else if (Files.isRegularFile(path)) files.add(path.toString());
                else throw new LoupeException(p + ": no such input file or directory");
            }
        }
        if (files.isEmpty()) throw new LoupeException("no input files match " + in.paths());
        return files;
    }

    /** Like {@link #expand}, without a run's own {@code stats.json} and {@code report.html}: a run's output as data. */
    public static List<String> dataFiles(InputSpec in) {
        return expand(in).stream().filter(f -> !Path.of(f).getFileName().toString().matches("stats\\.json|report\\.html")).toList();
    }

    private static int indexOfGlob(String p) {
        for (int i = 0; i < p.length(); i++) if ("*?[{".indexOf(p.charAt(i)) >= 0) return i;
        return -1;
    }

    private static List<String> glob(String p, int firstGlobChar) {
        int slash = p.lastIndexOf('/', firstGlobChar);
        Path dir = slash < 0 ? Path.of(".") : Path.of(p.substring(0, Math.max(slash, 1)));
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + p);
        if (!Files.isDirectory(dir)) throw new LoupeException(p + ": folder " + dir + " does not exist");
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(f -> m.matches(slash < 0 ? dir.relativize(f) : f))
                    .map(Path::toString).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> listDir(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
                    .map(Path::toString).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
