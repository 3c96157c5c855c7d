package dev.loupe.lens;

import dev.loupe.lens.cache.CachedActivation;
import dev.loupe.lens.io.NpyWriter;
import dev.loupe.lens.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The export formats byte by byte against their specifications (numpy's format.py docs, safetensors' README). */
class ExportTest {
    @Test
    void npyHeaderAndDataAreWhatNumpyExpects(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.npy");
        NpyWriter.write(f, new int[]{2, 3}, new float[]{1, 2, 3, 4, 5, -0.5f});
        byte[] b = Files.readAllBytes(f);
        // Magic \x93NUMPY, version 1.0, header length (LE u16), then the dict padded with spaces to end in \n at 64 bytes.
        assertThat(b[0] & 0xff).isEqualTo(0x93);
        assertThat(new String(b, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
        assertThat(b[6]).isEqualTo((byte) 1);
        assertThat(b[7]).isEqualTo((byte) 0);
        int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        assertThat(headerLen).isEqualTo(118);
        String dict = new String(b, 10, headerLen, StandardCharsets.US_ASCII);
        assertThat(dict).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }").endsWith(" \n");
        assertThat(dict.strip()).isEqualTo("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
        assertThat(b).hasSize(128 + 24);
        ByteBuffer data = ByteBuffer.wrap(b, 128, 24).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(data.getFloat()).isEqualTo(1f);
        data.position(128 + 20);
        assertThat(data.getFloat()).isEqualTo(-0.5f);
        // -0.5f is 0xBF000000: little-endian bytes 00 00 00 BF.
        assertThat(b[151] & 0xff).isEqualTo(0xBF);
    }

    @Test
    void npyOneDimensionalShapeIsATupleWithAComma() {
        String h = new String(NpyWriter.header(new int[]{7}), StandardCharsets.US_ASCII);
        assertThat(h).contains("'shape': (7,)");
        assertThat(NpyWriter.header(new int[]{7})).hasSize(128); // 69 bytes of header round up to the next multiple of 64
    }

    @Test
    void safetensorsLayout(@TempDir Path dir) throws Exception {
        Map<String, CachedActivation> t = new LinkedHashMap<>();
        t.put("x", new CachedActivation(new int[]{2}, new float[]{1.5f, 2.5f}));
        t.put("y", new CachedActivation(new int[]{1, 1}, new float[]{-1f}));
        Path f = dir.resolve("a.safetensors");
        SafetensorsWriter.write(f, t, Map.of("model", "m"));
        byte[] b = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).isZero();
        String json = new String(b, 8, (int) n, StandardCharsets.UTF_8).strip();
        assertThat(json).isEqualTo("{\"__metadata__\":{\"model\":\"m\"},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]}}");
        ByteBuffer data = ByteBuffer.wrap(b, 8 + (int) n, 12).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(data.getFloat()).isEqualTo(1.5f);
        assertThat(data.getFloat()).isEqualTo(2.5f);
        assertThat(data.getFloat()).isEqualTo(-1f);
        assertThat(b).hasSize(8 + (int) n + 12);
    }
}
