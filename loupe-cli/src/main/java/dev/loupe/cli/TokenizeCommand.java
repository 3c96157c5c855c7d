package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "tokenize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show how a model's tokenizer splits text (reads only the tokenizer; weights are not loaded).", ""},
        footer = {"", "Examples:",
                "  loupe tokenize -m model.gguf \"Hello world\"          one line per token: id -> 'piece'",
                "  loupe tokenize -m model.gguf --json \"Hello world\"   {\"ids\":[...]}",
                "  loupe tokenize -m model.gguf --special \"<s>Hi\"      parse special-token text"})
final class TokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "GGUF file with a tokenizer (default: the shipped model).")
    Path model;

    @Parameters(paramLabel = "TEXT", arity = "1..*", description = "The text (several arguments are joined with spaces).")
    List<String> words;

    @Option(names = "--json", description = "Print {\"ids\":[...]} only.")
    boolean json;

    @Option(names = "--ids", description = "Print the ids as one list, like llama-tokenize --ids.")
    boolean idsOnly;

    @Option(names = "--no-bos", description = "Do not add BOS/EOS even if the model asks for them.")
    boolean noBos;

    @Option(names = "--special", description = "Parse special/control token text (e.g. <|eot_id|>) as those tokens.")
    boolean special;

    @Override
    public Integer call() throws Exception {
        String text = String.join(" ", words);
        Path p = model != null ? model : ModelOptions.shippedModel();
        if (!p.toFile().exists()) throw new LoupeException("no such model file: " + p);
        PrintWriter out = spec.commandLine().getOut();
        try (GgufFile f = GgufFile.open(p)) {
            Tokenizer t = Tokenizer.fromMetadata(f.metadata());
            int[] ids = t.encode(text, !noBos, special);
            if (json) {
                out.println(new ObjectMapper().writeValueAsString(Map.of("ids", ids)));
            } else if (idsOnly) {
                out.println(java.util.Arrays.toString(ids));
            } else {
                for (int id : ids) {
                    String piece = new String(t.tokenBytes(id, true), java.nio.charset.StandardCharsets.UTF_8);
                    out.printf("%6d -> '%s'%n", id, piece);
                }
            }
        }
        return 0;
    }
}
