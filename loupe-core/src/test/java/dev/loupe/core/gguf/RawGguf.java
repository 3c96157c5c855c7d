package dev.loupe.core.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Hand-assembles GGUF bytes, field by field, so tests can write what {@link GgufWriter} refuses to:
 * wrong magic, absurd lengths, bad offsets, unknown type ids.
 */
final class RawGguf {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic, version 3 and the two counts. */
    static RawGguf header(long tensorCount, long kvCount) {
        return new RawGguf().u32(GgufReader.MAGIC).u32(3).u64(tensorCount).u64(kvCount);
    }

    RawGguf u8(int v) {
        out.write(v);
        return this;
    }

    RawGguf u32(int v) {
        return put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    RawGguf u64(long v) {
        return put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    RawGguf str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u64(b.length).put(b);
    }

    RawGguf put(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    RawGguf zeros(int n) {
        return put(new byte[n]);
    }

    RawGguf kvString(String key, String value) {
        return str(key).u32(ValueType.STRING.id).str(value);
    }

    RawGguf kvU32(String key, int value) {
        return str(key).u32(ValueType.UINT32.id).u32(value);
    }

    /** A tensor info: name, dims, ggml type id, offset. */
    RawGguf tensor(String name, int typeId, long offset, long... shape) {
        str(name).u32(shape.length);
        for (long d : shape) u64(d);
        return u32(typeId).u64(offset);
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    RawGguf align(int alignment) {
        while (out.size() % alignment != 0) out.write(0);
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
