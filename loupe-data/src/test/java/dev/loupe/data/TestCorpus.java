package dev.loupe.data;

import dev.loupe.data.bench.CorpusGenerator;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small generated JSONL corpora (with exact and near duplicates, PII and junk) for the runner tests. */
final class TestCorpus {
    private TestCorpus() {}

    static void write(Path dir, int shards, int docsPerShard, long seed) throws IOException {
        Files.createDirectories(dir);
        CorpusGenerator g = new CorpusGenerator(seed);
        String previous = null;
        for (int s = 0; s < shards; s++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < docsPerShard; i++) {
                String text = switch (i % 10) {
                    case 3 -> previous != null ? previous : g.document(60, 200); // exact duplicate across shards
                    case 5 -> "Too short.";
                    case 7 -> g.document(60, 200) + "\nWrite to jane.doe@example.com or call +1 415 555 0134.";
                    default -> g.document(60, 200);
                };
                if (i % 10 == 1) previous = text;
                sb.append("{\"id\":\"s").append(s).append('-').append(i).append("\",\"text\":")
                        .append(json(text)).append(",\"source\":\"gen\"}\n");
            }
            try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(dir.resolve("part-%02d.jsonl.gz".formatted(s))))) {
                o.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    static String json(String s) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
