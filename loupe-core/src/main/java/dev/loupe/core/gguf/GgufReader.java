package dev.loupe.core.gguf;

import dev.loupe.core.tensor.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the header of a GGUF file from a mapped segment. Every length read from the file is checked
 * against the bytes that remain before anything is allocated, so a hostile file fails with a
 * {@link GgufException} instead of an OutOfMemoryError or a read past the end.
 */
final class GgufReader {
    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int
    static final int MAX_DIMS = 4;
    static final int MAX_STRING = 1 << 28;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment seg;
    private final long size;
    private long pos;

    record Header(int version, Map<String, MetadataValue> metadata, List<TensorInfo> tensors, long dataOffset,
                  int alignment) {}

    GgufReader(MemorySegment seg) {
        this.seg = seg;
        this.size = seg.byteSize();
    }

    Header read() {
        need(4, "magic");
        int magic = seg.get(I32, 0);
        if (magic != MAGIC) throw new GgufException("not a GGUF file (bad magic)");
        pos = 4;
        int version = u32("version");
        if (version < 2 || version > 3) {
            throw new GgufException("unsupported GGUF version " + Integer.toUnsignedString(version) + " (Loupe reads v2 and v3)");
        }
        long tensorCount = u64("tensor count");
        long kvCount = u64("metadata count");
        // Each key-value pair takes at least 8 (key length) + 4 (type) + 1 bytes; each tensor info at least 8+4+8+4+8.
        bound(kvCount, 13, "metadata count");
        bound(tensorCount, 32, "tensor count");

        Map<String, MetadataValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = string("metadata key");
            String shown = printable(key);
            int typeId = u32("value type of " + shown);
            MetadataValue v = value(typeId, shown);
            if (metadata.putIfAbsent(key, v) != null) throw new GgufException("duplicate metadata key '" + shown + "'");
        }

        int alignment = 32;
        MetadataValue a = metadata.get("general.alignment");
        if (a != null) {
            if (!(a.value() instanceof Integer ai) || ai <= 0 || (ai & (ai - 1)) != 0) {
                throw new GgufException("general.alignment must be a positive power of two, got " + printable(a.display(4)));
            }
            alignment = ai;
        }

        TensorInfo[] tensors = new TensorInfo[(int) tensorCount];
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tensorCount; i++) {
            String name = string("tensor name");
            String shown = printable(name);
            if (!names.add(name)) throw new GgufException("duplicate tensor name '" + shown + "'");
            int nDims = u32("dimension count of " + shown);
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw new GgufException("tensor '" + shown + "' has " + Integer.toUnsignedString(nDims) + " dimensions (1 to 4 allowed)");
            }
            long[] shape = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                shape[d] = u64("shape of " + shown);
                if (shape[d] <= 0) throw new GgufException("tensor '" + shown + "' has a non-positive dimension " + Long.toUnsignedString(shape[d]));
                elements = Math.multiplyHigh(elements, shape[d]) != 0 || elements * shape[d] < 0 ? -1 : elements * shape[d];
                if (elements < 0 || elements > size * 8) {
                    throw new GgufException("tensor '" + shown + "' has an absurd shape (more elements than the file can hold)");
                }
            }
            int typeId = u32("type of " + shown);
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) {
                throw new GgufException("tensor '" + shown + "' has unknown ggml type id " + Integer.toUnsignedString(typeId));
            }
            if (shape[0] % type.blockSize != 0) {
                throw new GgufException("tensor '" + shown + "' row length " + shape[0] + " is not a multiple of the " + type + " block size " + type.blockSize);
            }
            long offset = u64("offset of " + shown);
            if (offset % alignment != 0) {
                throw new GgufException("tensor '" + shown + "' data offset " + offset + " is not aligned to " + alignment);
            }
            tensors[i] = new TensorInfo(name, shape, type, offset);
        }
        long dataOffset = (pos + alignment - 1) / alignment * alignment;
        long dataSize = size - dataOffset;
        for (TensorInfo t : tensors) {
            long end = t.offset() + t.byteSize();
            if (t.offset() < 0 || end < 0 || dataOffset > size || end > dataSize) {
                throw new GgufException("tensor '" + printable(t.name()) + "' data (offset " + Long.toUnsignedString(t.offset())
                        + ", " + t.byteSize() + " bytes) runs past the end of the file: the file is truncated or corrupt");
            }
        }
        return new Header(version, metadata, List.of(tensors), dataOffset, alignment);
    }

    private MetadataValue value(int typeId, String key) {
        ValueType type = ValueType.byId(typeId);
        if (type == null) throw new GgufException("metadata '" + key + "' has unknown value type " + Integer.toUnsignedString(typeId));
        if (type != ValueType.ARRAY) return MetadataValue.of(type, scalar(type, key));
        int elemId = u32("array type of " + key);
        ValueType elem = ValueType.byId(elemId);
        if (elem == null) throw new GgufException("metadata '" + key + "' is an array of unknown type " + Integer.toUnsignedString(elemId));
        if (elem == ValueType.ARRAY) throw new GgufException("metadata '" + key + "' is an array of arrays, which Loupe does not read");
        long n = u64("array length of " + key);
        bound(n, elem.minSize(), "array length of '" + key + "'");
        int len = (int) n;
        Object arr = switch (elem) {
            case UINT8, INT8 -> {
                byte[] b = new byte[len];
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, b, 0, len);
                pos += len;
                yield b;
            }
            case UINT16, INT16 -> {
                short[] s = new short[len];
                MemorySegment.copy(seg, I16, pos, s, 0, len);
                pos += 2L * len;
                yield s;
            }
            case UINT32, INT32 -> {
                int[] v = new int[len];
                MemorySegment.copy(seg, I32, pos, v, 0, len);
                pos += 4L * len;
                yield v;
            }
            case UINT64, INT64 -> {
                long[] v = new long[len];
                MemorySegment.copy(seg, I64, pos, v, 0, len);
                pos += 8L * len;
                yield v;
            }
            case FLOAT32 -> {
                float[] v = new float[len];
                MemorySegment.copy(seg, F32, pos, v, 0, len);
                pos += 4L * len;
                yield v;
            }
            case FLOAT64 -> {
                double[] v = new double[len];
                MemorySegment.copy(seg, F64, pos, v, 0, len);
                pos += 8L * len;
                yield v;
            }
            case BOOL -> {
                boolean[] v = new boolean[len];
                for (int i = 0; i < len; i++) v[i] = seg.get(ValueLayout.JAVA_BYTE, pos + i) != 0;
                pos += len;
                yield v;
            }
            case STRING -> strings(key, len);
            case ARRAY -> throw new AssertionError();
        };
        return MetadataValue.array(elem, arr);
    }

    private Object scalar(ValueType type, String key) {
        return switch (type) {
            case UINT8 -> { need(1, key); yield Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, pos++)); }
            case INT8 -> { need(1, key); yield (int) seg.get(ValueLayout.JAVA_BYTE, pos++); }
            case UINT16 -> { need(2, key); int v = Short.toUnsignedInt(seg.get(I16, pos)); pos += 2; yield v; }
            case INT16 -> { need(2, key); int v = seg.get(I16, pos); pos += 2; yield v; }
            case UINT32, INT32 -> u32(key);
            case UINT64, INT64 -> u64(key);
            case FLOAT32 -> { need(4, key); float v = seg.get(F32, pos); pos += 4; yield v; }
            case FLOAT64 -> { need(8, key); double v = seg.get(F64, pos); pos += 8; yield v; }
            case BOOL -> { need(1, key); yield seg.get(ValueLayout.JAVA_BYTE, pos++) != 0; }
            case STRING -> string(key);
            case ARRAY -> throw new AssertionError();
        };
    }

    /**
     * A string array as {@link GgufStrings}: the lengths are walked and checked here, the bytes copied in one
     * go and decoded only when asked for (a vocabulary's 400k strings were most of the time a load took).
     */
    private GgufStrings strings(String what, int n) {
        long begin = pos;
        int[] offsets = new int[n + 1];
        for (int i = 0; i < n; i++) {
            long len = pos + 8 <= size ? seg.get(I64, pos) : -1;
            if (len < 0 || len > MAX_STRING || pos + 8 + len > size) {
                string(what, i); // the checked path, for its message
                throw new AssertionError("string " + i + " of " + what + " passed a check it failed");
            }
            pos += 8;
            if (pos - begin > Integer.MAX_VALUE - 16) throw new GgufException("string array " + what + " is larger than 2 GiB");
            offsets[i] = (int) (pos - begin);
            pos += len;
        }
        if (pos - begin > Integer.MAX_VALUE - 16) throw new GgufException("string array " + what + " is larger than 2 GiB");
        offsets[n] = (int) (pos - begin) + 8;
        byte[] bytes = new byte[(int) (pos - begin)];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, begin, bytes, 0, bytes.length);
        return new GgufStrings(bytes, offsets);
    }

    private String string(String what) {
        return string(what, -1);
    }

    /**
     * The string at the read position: {@code what}, or element {@code index} of array {@code what} when
     * index ≥ 0. The name for a message is built only on failure: a vocabulary has 100k+ strings, and
     * naming each one up front cost more than reading it.
     */
    private String string(String what, int index) {
        long len = pos + 8 <= size ? seg.get(I64, pos) : -1;
        if (len < 0 || len > MAX_STRING || pos + 8 + len > size) {
            String name = index < 0 ? what : what + "[" + index + "]";
            len = u64("length of " + name);
            if (len < 0 || len > MAX_STRING) throw new GgufException("string length " + Long.toUnsignedString(len) + " of " + name + " is absurd");
            need(len, name);
        } else {
            pos += 8;
        }
        byte[] b = new byte[(int) len];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, b, 0, b.length);
        pos += len;
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * A key or tensor name as it may appear in a message: names come from the file, so a hostile one could
     * carry newlines, terminal escapes or 256 MiB of text into the user's one-line error.
     */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (; i < s.length() && sb.length() < 64; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return i < s.length() ? sb.append("...").toString() : sb.toString();
    }

    private int u32(String what) {
        need(4, what);
        int v = seg.get(I32, pos);
        pos += 4;
        return v;
    }

    private long u64(String what) {
        need(8, what);
        long v = seg.get(I64, pos);
        pos += 8;
        return v;
    }

    private void need(long n, String what) {
        if (n < 0 || pos + n > size) {
            throw new GgufException("file ends while reading " + what + " at byte " + pos + ": the file is truncated or corrupt");
        }
    }

    /** A count of items each at least {@code minSize} bytes must fit in what is left of the file. */
    private void bound(long count, int minSize, String what) {
        long left = size - pos;
        if (count < 0 || count > Integer.MAX_VALUE - 8 || count * (long) Math.max(minSize, 1) > left) {
            throw new GgufException(what + " " + Long.toUnsignedString(count) + " is larger than the file can hold: the file is truncated or corrupt");
        }
    }
}
