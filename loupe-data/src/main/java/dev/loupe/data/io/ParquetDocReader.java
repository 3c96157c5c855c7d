package dev.loupe.data.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a Parquet file as documents, one per row, keyed by row number (1-based, the "line" of errors). The text
 * column ({@code text_key}) must be a string; the id column is optional; every other top-level primitive column
 * becomes metadata (strings, numbers, booleans), except that a string column named {@code metadata} holding a JSON
 * object (what {@link ParquetShardWriter} writes) is unpacked into metadata. Nested and repeated columns are not
 * read. A row without text, or a file whose footer or pages cannot be decoded, is an {@link InputError}.
 */
final class ParquetDocReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ParquetDocReader() {}

    static void read(Path file, int shard, String textKey, String idKey, Consumer<Document> sink, InputErrors errors) {
        String name = file.toString();
        long row = 0;
        // Plain configuration and our codecs: the defaults would build a Hadoop Configuration (see ParquetCodecs).
        try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file),
                ParquetReadOptions.builder(new PlainParquetConfiguration()).withCodecFactory(ParquetCodecs.INSTANCE).build())) {
            MessageType schema = r.getFooter().getFileMetaData().getSchema();
            if (!schema.containsField(textKey) || !isString(schema.getType(textKey))) {
                errors.report(new InputError(name, 0, InputError.Kind.MISSING_TEXT, "no string column '" + textKey + "'"));
                return;
            }
            MessageColumnIO io = new ColumnIOFactory().getColumnIO(schema);
            for (PageReadStore pages; (pages = r.readNextRowGroup()) != null; ) {
                RecordReader<Group> records = io.getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0, n = pages.getRowCount(); i < n; i++) {
                    row++;
                    Document d;
                    try {
                        d = document(records.read(), schema, textKey, idKey, name, shard, row);
                    } catch (InvalidText e) {
                        errors.report(new InputError(name, row, InputError.Kind.INVALID_UTF8, "text is not valid UTF-8"));
                        continue;
                    }
                    if (d == null) errors.report(new InputError(name, row, InputError.Kind.MISSING_TEXT, "no text in column '" + textKey + "'"));
                    else sink.accept(d);
                }
            }
        } catch (IOException | RuntimeException e) {
            // parquet-mr reports a cut or corrupt file as IOException or as a RuntimeException from a decoder
            errors.report(new InputError(name, row + 1, InputError.Kind.TRUNCATED,
                    "corrupt or truncated Parquet (" + e.getMessage() + "); the rest of the file is skipped"));
        }
    }

    /** Thrown for a row whose text bytes are not UTF-8; Parquet's own decoding would replace them silently. */
    private static final class InvalidText extends RuntimeException {
        InvalidText() {
            super(null, null, false, false);
        }
    }

    private static String strictUtf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean isString(Type t) {
        return t.isPrimitive() && t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.BINARY
                && !t.isRepetition(Type.Repetition.REPEATED);
    }

    private static Document document(Group g, MessageType schema, String textKey, String idKey, String file, int shard, long row) {
        if (g.getFieldRepetitionCount(textKey) == 0) return null;
        String text = strictUtf8(g.getBinary(textKey, 0).getBytes());
        if (text == null) throw new InvalidText();
        String id = file + ":" + row;
        Map<String, Object> meta = new LinkedHashMap<>();
        for (int f = 0; f < schema.getFieldCount(); f++) {
            Type t = schema.getType(f);
            String col = t.getName();
            if (col.equals(textKey) || !t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED)
                    || g.getFieldRepetitionCount(f) == 0) continue;
            Object v = value(g, f, t.asPrimitiveType());
            if (col.equals(idKey)) id = String.valueOf(v);
            else if (col.equals("metadata") && v instanceof String s && s.startsWith("{")) meta.putAll(json(s));
            else meta.put(col, v);
        }
        return new Document(id, text, meta, new DocKey(shard, row));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String s) {
        try {
            return JSON.readValue(s, LinkedHashMap.class);
        } catch (IOException e) {
            return Map.of("metadata", s); // not ours: keep the string as it was
        }
    }

    private static Object value(Group g, int f, PrimitiveType t) {
        return switch (t.getPrimitiveTypeName()) {
            case BINARY, FIXED_LEN_BYTE_ARRAY -> g.getBinary(f, 0).toStringUsingUTF8();
            case INT32 -> g.getInteger(f, 0);
            case INT64 -> g.getLong(f, 0);
            case FLOAT -> g.getFloat(f, 0);
            case DOUBLE -> g.getDouble(f, 0);
            case BOOLEAN -> g.getBoolean(f, 0);
            case INT96 -> g.getInt96(f, 0).toString();
        };
    }
}
