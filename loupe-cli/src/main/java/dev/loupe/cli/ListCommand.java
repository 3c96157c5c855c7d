package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.serve.ModelCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
        description = {"List the models in the models folder: the names 'loupe serve --model NAME' and the Ollama API accept.", ""},
        footer = {"", "Examples:", "  loupe list", "  loupe list --models-dir ~/models --json"})
final class ListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--models-dir", paramLabel = "DIR", description = "Folder to list (default: $LOUPE_MODELS, else Loupe's models folder).")
    Path modelsDir;

    @Option(names = "--json", description = "One JSON array of {name, path, size, modified}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ModelCatalog catalog = new ModelCatalog(modelsDir != null ? modelsDir : ModelCatalog.defaultDir());
        PrintWriter out = spec.commandLine().getOut();
        List<ModelCatalog.Entry> entries = catalog.list();
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (ModelCatalog.Entry e : entries) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", e.name());
                row.put("path", e.path().toString());
                row.put("size", e.size());
                row.put("modified", e.modified().toString());
                rows.add(row);
            }
            out.println(new ObjectMapper().writeValueAsString(rows));
            return 0;
        }
        if (entries.isEmpty()) {
            out.println("no models in " + catalog.dir() + " (put .gguf files there, or set LOUPE_MODELS)");
            return 0;
        }
        out.printf("%-40s %10s  %s%n", "NAME", "SIZE", "MODIFIED");
        for (ModelCatalog.Entry e : entries) {
            out.printf("%-40s %10s  %s%n", e.name(), ByteSize.format(e.size()), e.modified().toString().substring(0, 19).replace('T', ' '));
        }
        return 0;
    }
}
