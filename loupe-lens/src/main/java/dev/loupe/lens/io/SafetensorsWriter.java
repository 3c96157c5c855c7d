package dev.loupe.lens.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.core.gguf.AtomicFile;
import dev.loupe.lens.cache.CachedActivation;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape
 * and byte range in the data section, then the data. The header is padded with spaces to a multiple of 8 bytes,
 * as the reference implementation does, so every tensor starts aligned.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    public static byte[] header(Map<String, CachedActivation> tensors, Map<String, String> metadata) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode md = root.putObject("__metadata__");
            metadata.forEach(md::put);
        }
        long offset = 0;
        for (Map.Entry<String, CachedActivation> e : tensors.entrySet()) {
            ObjectNode t = root.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (int d : e.getValue().shape()) shape.add(d);
            long bytes = 4L * e.getValue().data().length;
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] text = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(text);
        while (b.hasRemaining()) b.put((byte) ' ');
        return b.array();
    }

    public static void write(Path target, Map<String, CachedActivation> tensors, Map<String, String> metadata) {
        byte[] header = header(tensors, metadata);
        AtomicFile.write(target, ch -> {
            ch.write(ByteBuffer.wrap(header));
            for (CachedActivation a : tensors.values()) Floats.writeLittleEndian(ch, a.data());
        });
    }
}
