package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;
import dev.loupe.core.model.RepackCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "cache", mixinStandardHelpOptions = true,
        description = {"Show the repacked-weights cache, or free its space.", "",
                "The first load of a model with Q4_0, Q4_K or Q6_K matrices repacks them for this CPU's decode kernels (about 2 s",
                "of a core for a 1B model) into a cache file as large as those matrices; every later load maps that file instead",
                "of repacking. A model changed in place gets a new cache and its old one is deleted; a cache whose model file is",
                "gone is listed as such and removed by --prune. Deleting caches is always safe: the next load repacks again.", ""},
        footer = {"", "Examples:",
                "  loupe cache                      # the cache files, their models and the space they take",
                "  loupe cache --prune              # delete the caches of model files that no longer exist",
                "  loupe cache --clear              # delete them all",
                "",
                "The cache is in $LOUPE_CACHE_DIR, else $XDG_CACHE_HOME/loupe, else ~/.cache/loupe.",
                "LOUPE_REPACK_CACHE=off makes loads repack into memory instead (nothing is written)."})
final class CacheCommand implements Callable<Integer> {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "The cache directory (default: as below).")
    Path dir;

    @Option(names = "--prune", description = "Delete the caches whose model file no longer exists.")
    boolean prune;

    @Option(names = "--clear", description = "Delete every cache file.")
    boolean clear;

    @Option(names = "--json", description = "One JSON array of {file, bytes, written, model, orphaned} (after any deletion: what is left).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (prune && clear) throw new LoupeException("--prune and --clear do not go together (--clear deletes everything)");
        Path d = dir != null ? dir : RepackCache.directory();
        if (d == null) throw new LoupeException("no cache directory: LOUPE_REPACK_CACHE is off (or no home directory); give one with --dir");
        PrintWriter out = spec.commandLine().getOut();
        RepackCache.awaitCommits(); // in-process callers (tests, a shell) may have just loaded a model
        if (prune || clear) {
            List<RepackCache.CachedModel> gone = RepackCache.clear(d, prune);
            long bytes = 0;
            for (RepackCache.CachedModel c : gone) bytes += c.bytes();
            if (!json) out.printf("deleted %d cache file%s, %s freed%n", gone.size(), gone.size() == 1 ? "" : "s", ByteSize.format(bytes));
        }
        List<RepackCache.CachedModel> left = RepackCache.list(d);
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (RepackCache.CachedModel c : left) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("file", c.file().toString());
                row.put("bytes", c.bytes());
                row.put("written", c.written().toString());
                row.put("model", c.model() == null ? null : c.model().toString());
                row.put("orphaned", c.orphaned());
                rows.add(row);
            }
            out.println(new ObjectMapper().writeValueAsString(rows));
            return 0;
        }
        if (left.isEmpty()) {
            if (!prune && !clear) out.println("no cached models in " + d);
            return 0;
        }
        long total = 0;
        out.printf("%10s  %-19s  %s%n", "SIZE", "WRITTEN", "MODEL");
        for (RepackCache.CachedModel c : left) {
            total += c.bytes();
            String model = c.model() == null ? "(model unknown: --prune deletes it)" : c.model() + (c.orphaned() ? "  (gone: --prune deletes it)" : "");
            out.printf("%10s  %-19s  %s%n", ByteSize.format(c.bytes()), WHEN.format(c.written()), model);
        }
        out.printf("%d file%s, %s in %s%n", left.size(), left.size() == 1 ? "" : "s", ByteSize.format(total), d);
        return 0;
    }
}
