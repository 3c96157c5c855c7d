package dev.loupe.core.tokenizer;

import dev.loupe.core.Fixtures;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.Metadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Shared fixture access for tokenizer tests: tokenizers loaded once per vocab, and llama.cpp's test vectors. */
final class Vocabs {
    private Vocabs() {}

    static final List<String> NAMES = List.of("llama-spm", "phi-3", "llama-bpe", "qwen2", "gpt-2");

    private static final Map<String, Tokenizer> CACHE = new ConcurrentHashMap<>();

    static Path file(String name) {
        return Fixtures.vocab("ggml-vocab-" + name + ".gguf");
    }

    static Metadata metadata(String name) {
        try (GgufFile f = GgufFile.open(file(name))) {
            return f.metadata();
        }
    }

    static Tokenizer tokenizer(String name) {
        return CACHE.computeIfAbsent(name, n -> Tokenizer.fromMetadata(metadata(n)));
    }

    record Vector(int index, String text, int[] ids) {}

    /**
     * The vectors exactly as llama.cpp's tests/test-tokenizer-0.cpp reads them: the .inp file split on
     * "\n__ggml_vocab_test__\n" (so each string keeps its own leading and inner newlines, and the file's
     * final separator leaves nothing after it), and each .out line trimmed and split on single spaces.
     */
    static List<Vector> vectors(String name) {
        try {
            Path f = file(name);
            String raw = Files.readString(f.resolveSibling(f.getFileName() + ".inp"), StandardCharsets.UTF_8);
            List<String> out = Files.readAllLines(f.resolveSibling(f.getFileName() + ".out"), StandardCharsets.UTF_8);
            String sep = "\n__ggml_vocab_test__\n";
            List<String> inputs = new ArrayList<>();
            int pos = 0;
            while (pos < raw.length()) {
                int next = raw.indexOf(sep, pos);
                if (next < 0) {
                    inputs.add(raw.substring(pos));
                    break;
                }
                inputs.add(raw.substring(pos, next));
                pos = next + sep.length();
            }
            if (inputs.size() != out.size()) {
                throw new IllegalStateException(name + ": " + inputs.size() + " inputs but " + out.size() + " outputs");
            }
            List<Vector> vectors = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                String line = out.get(i).strip();
                int[] ids = line.isEmpty() ? new int[0] : java.util.Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
                vectors.add(new Vector(i, inputs.get(i), ids));
            }
            return vectors;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
