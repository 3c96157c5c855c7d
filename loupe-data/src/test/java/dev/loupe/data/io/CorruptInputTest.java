package dev.loupe.data.io;

import dev.loupe.core.LoupeException;
import dev.loupe.data.io.Compression;
import dev.loupe.data.pipeline.InputSpec;
import dev.loupe.data.pipeline.OutputSpec;
import dev.loupe.data.pipeline.PipelineSpec;
import dev.loupe.data.run.RunOptions;
import dev.loupe.data.run.RunSummary;
import dev.loupe.data.run.Runners;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CorruptInputTest {
    @TempDir
    Path tmp;

    Path corrupt() throws IOException {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write("{\"text\":\"good one\"}\n{\"text\": broken\n".getBytes(StandardCharsets.UTF_8));
        b.write(new byte[]{'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
        b.write("{\"body\":\"no text field\"}\n{\"text\":\"good two\"}\n".getBytes(StandardCharsets.UTF_8));
        Files.write(in.resolve("a.jsonl"), b.toByteArray());
        // a gzip cut in the middle: the lines before the cut are read, the cut is reported
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(gz)) {
            for (int i = 0; i < 2000; i++) o.write(("{\"text\":\"line " + i + " with some padding text\"}\n").getBytes(StandardCharsets.UTF_8));
        }
        byte[] all = gz.toByteArray();
        Files.write(in.resolve("b.jsonl.gz"), Arrays.copyOf(all, all.length / 2));
        return in;
    }

    PipelineSpec spec(Path in, String out) {
        return new PipelineSpec(new InputSpec(List.of(in.toString()), null, null, null), List.of(),
                new OutputSpec(tmp.resolve(out).toString(), Compression.NONE, 10));
    }

    @Test
    void corruptPiecesAreCountedReportedAndSkipped() throws IOException {
        RunSummary s = Runners.runLocal(spec(corrupt(), "out"), RunOptions.defaults());
        var read = s.step("read");
        assertThat(read.getCounters()).containsEntry("corrupt:bad_json", 1L).containsEntry("corrupt:invalid_utf8", 1L)
                .containsEntry("corrupt:missing_text", 1L).containsEntry("corrupt:truncated", 1L);
        assertThat(read.getExamples()).extracting(e -> e.id()).contains(tmp.resolve("in/a.jsonl") + ":2",
                tmp.resolve("in/a.jsonl") + ":3", tmp.resolve("in/a.jsonl") + ":4");
        assertThat(Files.readAllLines(tmp.resolve("out/00000.jsonl"))).hasSize(2);
        long partial = Files.readAllLines(tmp.resolve("out/00001.jsonl")).size();
        assertThat(partial).isBetween(1L, 1999L);
        assertThat(read.count("documents")).isEqualTo(2 + partial);
    }

    @Test
    void strictFailsWithFileAndLine() throws IOException {
        Path in = corrupt();
        assertThatThrownBy(() -> Runners.runLocal(spec(in, "strict"), RunOptions.defaults().withStrict(true)))
                .isInstanceOf(LoupeException.class).hasMessageContaining(in.resolve("a.jsonl") + ":2: bad_json");
    }

    @Test
    void readsWhatItWritesInEveryCompression() throws IOException {
        for (Compression c : Compression.values()) {
            Path f = tmp.resolve("x.jsonl" + c.extension());
            var doc = new dev.loupe.data.Document("id1", "héllo\nwörld", Map.of("lang", "de", "n", 3), new dev.loupe.data.DocKey(0, 1));
            try (ShardWriter w = new ShardWriter(f, c)) {
                w.write(doc);
                w.commit();
            }
            List<dev.loupe.data.Document> back = new ArrayList<>();
            new DocReader(null, "text", "id").read(f, 0, back::add, e -> { throw new AssertionError(e.toString()); });
            assertThat(back).containsExactly(doc);
        }
    }

    @Test
    void plainTextIsCutIntoParagraphs() throws IOException {
        Path f = tmp.resolve("t.txt");
        Files.writeString(f, "First:\nline one\n\n\nSecond:\nline two\n");
        List<dev.loupe.data.Document> docs = new ArrayList<>();
        new DocReader(InputFormat.TEXT_PARAGRAPHS, "text", "id").read(f, 0, docs::add, e -> { throw new AssertionError(); });
        assertThat(docs).extracting(dev.loupe.data.Document::text).containsExactly("First:\nline one", "Second:\nline two");
        assertThat(docs.get(1).key().ordinal()).isEqualTo(5);
    }
}
