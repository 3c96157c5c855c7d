package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.MetadataValue;
import dev.loupe.core.gguf.TensorInfo;
import dev.loupe.core.tensor.Codecs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Show a GGUF file's metadata and tensor table (like gguf-dump).", ""},
        footer = {"", "Examples:", "  loupe inspect model.gguf", "  loupe inspect model.gguf --json | jq '.tensors | length'"})
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The GGUF file.")
    Path file;

    @Option(names = "--json", description = "Print one JSON object: version, metadata, tensors.")
    boolean json;

    @Option(names = "--full", description = "Print arrays in full (by default long arrays are shortened).")
    boolean full;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (GgufFile f = GgufFile.open(file)) {
            if (json) {
                Map<String, Object> root = new LinkedHashMap<>();
                root.put("file", file.toString());
                root.put("version", f.version());
                root.put("alignment", f.alignment());
                root.put("data_offset", f.dataOffset());
                Map<String, Object> md = new LinkedHashMap<>();
                for (Map.Entry<String, MetadataValue> e : f.metadata().asMap().entrySet()) {
                    md.put(e.getKey(), e.getValue().value());
                }
                root.put("metadata", md);
                List<Map<String, Object>> ts = new ArrayList<>();
                for (TensorInfo t : f.tensors()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", t.name());
                    m.put("type", t.type().name());
                    m.put("shape", t.shape());
                    m.put("offset", t.offset());
                    m.put("bytes", t.byteSize());
                    ts.add(m);
                }
                root.put("tensors", ts);
                out.println(new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).writeValueAsString(root));
                return 0;
            }
            out.printf("%s: GGUF v%d, %d metadata keys, %d tensors, %.2f MiB%n", file, f.version(),
                    f.metadata().asMap().size(), f.tensors().size(), f.fileSize() / 1048576.0);
            out.println();
            out.println("Metadata:");
            int width = f.metadata().asMap().keySet().stream().mapToInt(String::length).max().orElse(10);
            for (Map.Entry<String, MetadataValue> e : f.metadata().asMap().entrySet()) {
                MetadataValue v = e.getValue();
                String type = v.isArray() ? "[" + v.elementType() + "]" : v.type().toString();
                out.printf("  %-" + width + "s  %-10s %s%n", e.getKey(), type, v.display(full ? Integer.MAX_VALUE : 8));
            }
            out.println();
            out.println("Tensors:");
            out.printf("  %4s  %-32s %-8s %-22s %12s%n", "#", "name", "type", "shape", "bytes");
            int i = 0;
            for (TensorInfo t : f.tensors()) {
                String note = Codecs.supports(t.type()) ? "" : "  (type not computable by Loupe)";
                out.printf("  %4d  %-32s %-8s %-22s %12d%s%n", i++, t.name(), t.type(), java.util.Arrays.toString(t.shape()), t.byteSize(), note);
            }
        }
        return 0;
    }
}
