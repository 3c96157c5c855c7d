package dev.loupe.data.io;

import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ParquetIoTest {
    @TempDir
    Path tmp;

    static List<Document> read(Path f, String textKey, List<InputError> errors) {
        List<Document> docs = new ArrayList<>();
        new DocReader(null, textKey, "id").read(f, 0, docs::add, errors::add);
        return docs;
    }

    @Test
    void roundTripsDocumentsInEveryCompression() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("lang", "de");
        meta.put("n", 3);
        meta.put("score", 0.25);
        meta.put("tags", List.of("a", "b"));
        List<Document> docs = List.of(new Document("id1", "héllo\nwörld 👋", meta, new DocKey(0, 1)),
                new Document("id2", "no metadata", Map.of(), new DocKey(0, 2)));
        for (Compression c : Compression.values()) {
            Path f = tmp.resolve("x-" + c.id() + ".parquet");
            try (DocWriter w = DocWriter.open(f, OutputFormat.PARQUET, c)) {
                docs.forEach(w::write);
                w.commit();
            }
            assertThat(tmp.resolve(".x-" + c.id() + ".parquet.tmp")).doesNotExist();
            List<InputError> errors = new ArrayList<>();
            assertThat(read(f, "text", errors)).as(c.id()).isEqualTo(docs);
            assertThat(errors).isEmpty();
        }
    }

    @Test
    void sameDocumentsGiveTheSameBytes() throws IOException {
        Document d = new Document("a", "same text", Map.of("k", 1), new DocKey(0, 1));
        byte[][] files = new byte[2][];
        for (int i = 0; i < 2; i++) {
            Path f = tmp.resolve("d" + i + ".parquet");
            try (DocWriter w = DocWriter.open(f, OutputFormat.PARQUET, Compression.ZSTD)) {
                w.write(d);
                w.commit();
            }
            files[i] = Files.readAllBytes(f);
        }
        assertThat(files[1]).isEqualTo(files[0]);
    }

    @Test
    void uncommittedWriterLeavesNothing() {
        Path f = tmp.resolve("gone.parquet");
        try (DocWriter w = DocWriter.open(f, OutputFormat.PARQUET, Compression.GZIP)) {
            w.write(new Document("a", "text", Map.of(), new DocKey(0, 1)));
        }
        assertThat(f).doesNotExist();
        assertThat(tmp.resolve(".gone.parquet.tmp")).doesNotExist();
    }

    /** A file from another tool: text under another name, typed columns become metadata, a null text is reported. */
    static Path foreign(Path f, byte[] badUtf8) throws IOException {
        MessageType schema = Types.buildMessage()
                .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("content")
                .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("url")
                .required(PrimitiveTypeName.DOUBLE).named("quality")
                .required(PrimitiveTypeName.INT64).named("tokens")
                .named("row");
        SimpleGroupFactory g = new SimpleGroupFactory(schema);
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(f)).withConf(new PlainParquetConfiguration())
                .withType(schema).build()) {
            w.write(g.newGroup().append("content", "first page").append("url", "http://a").append("quality", 0.5).append("tokens", 2L));
            w.write(g.newGroup().append("url", "http://b").append("quality", 0.1).append("tokens", 0L));
            w.write(g.newGroup().append("content", Binary.fromConstantByteArray(badUtf8)).append("url", "http://c")
                    .append("quality", 0.2).append("tokens", 1L));
            w.write(g.newGroup().append("content", "fourth page").append("url", "http://d").append("quality", 0.9).append("tokens", 2L));
        }
        return f;
    }

    @Test
    void readsAnotherToolsColumnsAndReportsBadRowsWithTheirRowNumber() throws IOException {
        Path f = foreign(tmp.resolve("web.parquet"), new byte[]{'o', 'k', (byte) 0xC3, (byte) 0x28});
        List<InputError> errors = new ArrayList<>();
        List<Document> docs = read(f, "content", errors);
        assertThat(docs).extracting(Document::text).containsExactly("first page", "fourth page");
        assertThat(docs.get(0).id()).isEqualTo(f + ":1");
        assertThat(docs.get(1).key()).isEqualTo(new DocKey(0, 4));
        assertThat(docs.get(1).metadata()).containsExactly(Map.entry("url", "http://d"), Map.entry("quality", 0.9),
                Map.entry("tokens", 2L));
        assertThat(errors).extracting(InputError::toString).containsExactly(
                f + ":2: missing_text: no text in column 'content'",
                f + ":3: invalid_utf8: text is not valid UTF-8");
    }

    @Test
    void truncatedFileIsReportedNotThrown() throws IOException {
        Path f = foreign(tmp.resolve("cut.parquet"), "fine".getBytes());
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 20));
        List<InputError> errors = new ArrayList<>();
        assertThat(read(f, "content", errors)).isEmpty();
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(InputError.Kind.TRUNCATED);
            assertThat(e.file()).isEqualTo(f.toString());
        });
    }
}
