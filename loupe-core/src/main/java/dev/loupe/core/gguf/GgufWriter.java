package dev.loupe.core.gguf;

import dev.loupe.core.tensor.GgmlType;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a GGUF v3 file: metadata in insertion order, then tensors in insertion order, laid out as
 * llama.cpp's writer does (tensor data aligned to {@code general.alignment}, default 32, each tensor
 * padded to the alignment, the last one included; no padding at all when there are no tensors, as
 * gguf-py writes vocab-only files). The file appears atomically; see {@link AtomicFile}.
 *
 * <p>Mistakes in what is added (wrong Java type for a value type, bad shape, duplicate tensor name) are
 * IllegalArgumentException at the call that made them; problems writing the file are {@link GgufException}.
 */
public final class GgufWriter {
    static final int VERSION = 3;
    static final int DEFAULT_ALIGNMENT = 32;
    /** llama.cpp's GGML_MAX_NAME counts the terminating NUL, so names may have at most 63 bytes. */
    static final int MAX_NAME_BYTES = 63;
    static final String ALIGNMENT_KEY = "general.alignment";

    private record Entry(String name, GgmlType type, long[] shape, long byteSize, TensorSource source) {}

    private final Map<String, MetadataValue> metadata = new LinkedHashMap<>();
    private final Map<String, Entry> tensors = new LinkedHashMap<>();

    /** Adds or replaces a value; a replaced key keeps its original position, so copied files keep their order. */
    public GgufWriter put(String key, MetadataValue value) {
        if (key == null) throw new IllegalArgumentException("metadata key is null");
        MetadataEncoder.check(key, value);
        if (key.equals(ALIGNMENT_KEY)) checkAlignment(value);
        metadata.put(key, value);
        return this;
    }

    public GgufWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    public GgufWriter putString(String key, String v) { return put(key, MetadataValue.of(ValueType.STRING, v)); }
    public GgufWriter putBool(String key, boolean v) { return put(key, MetadataValue.of(ValueType.BOOL, v)); }
    public GgufWriter putUInt8(String key, int v) { return put(key, MetadataValue.of(ValueType.UINT8, v)); }
    public GgufWriter putInt8(String key, int v) { return put(key, MetadataValue.of(ValueType.INT8, v)); }
    public GgufWriter putUInt16(String key, int v) { return put(key, MetadataValue.of(ValueType.UINT16, v)); }
    public GgufWriter putInt16(String key, int v) { return put(key, MetadataValue.of(ValueType.INT16, v)); }
    public GgufWriter putInt32(String key, int v) { return put(key, MetadataValue.of(ValueType.INT32, v)); }
    public GgufWriter putInt64(String key, long v) { return put(key, MetadataValue.of(ValueType.INT64, v)); }
    public GgufWriter putUInt64(String key, long v) { return put(key, MetadataValue.of(ValueType.UINT64, v)); }
    public GgufWriter putFloat32(String key, float v) { return put(key, MetadataValue.of(ValueType.FLOAT32, v)); }
    public GgufWriter putFloat64(String key, double v) { return put(key, MetadataValue.of(ValueType.FLOAT64, v)); }

    /** {@code v} in 0..2^32-1; stored, like the reader does, as the int with the same bits. */
    public GgufWriter putUInt32(String key, long v) {
        if (v < 0 || v > 0xFFFF_FFFFL) throw new IllegalArgumentException("metadata '" + key + "' = " + v + " does not fit in uint32");
        return put(key, MetadataValue.of(ValueType.UINT32, (int) v));
    }

    /** An array; {@code array} is the primitive array (or String[]) that {@link MetadataValue} documents for the element type. */
    public GgufWriter putArray(String key, ValueType elementType, Object array) {
        return put(key, MetadataValue.array(elementType, array));
    }

    /** All metadata of {@code source}, in its order (including its general.alignment, if any). */
    public GgufWriter copyMetadata(GgufFile source) {
        source.metadata().asMap().forEach(this::put);
        return this;
    }

    public GgufWriter addTensor(String name, GgmlType type, long[] shape, byte[] data) {
        long size = byteSize(name, type, shape);
        if (data.length != size) throw new IllegalArgumentException("tensor '" + name + "' needs " + size + " bytes, got " + data.length);
        return add(name, type, shape, size, TensorSource.of(data));
    }

    /** The segment is read while {@link #write} runs, not now; keep its arena open until then. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, MemorySegment data) {
        long size = byteSize(name, type, shape);
        if (data.byteSize() != size) throw new IllegalArgumentException("tensor '" + name + "' needs " + size + " bytes, got " + data.byteSize());
        return add(name, type, shape, size, TensorSource.of(data));
    }

    /** The source runs during {@link #write} and must write exactly the tensor's byte size. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, TensorSource source) {
        return add(name, type, shape, byteSize(name, type, shape), source);
    }

    /** Every tensor of {@code source}, in its order, data straight from its mapping; keep it open until written. */
    public GgufWriter copyTensors(GgufFile source) {
        for (TensorInfo t : source.tensors()) addTensor(t.name(), t.type(), t.shape(), source.tensorData(t));
        return this;
    }

    /** Writes the file atomically: on failure {@code target} is untouched and no temporary file remains. */
    public void write(Path target) {
        AtomicFile.write(target, ch -> {
            GgufOutput out = new GgufOutput(ch);
            writeTo(out);
            out.flush();
        });
    }

    private void writeTo(GgufOutput out) throws IOException {
        int alignment = alignment();
        out.u32(GgufReader.MAGIC);
        out.u32(VERSION);
        out.u64(tensors.size());
        out.u64(metadata.size());
        for (Map.Entry<String, MetadataValue> kv : metadata.entrySet()) {
            out.string(kv.getKey());
            MetadataEncoder.write(out, kv.getValue());
        }
        long offset = 0;
        for (Entry t : tensors.values()) {
            out.string(t.name);
            out.u32(t.shape.length);
            for (long d : t.shape) out.u64(d);
            out.u32(t.type.id);
            out.u64(offset);
            offset += padded(t.byteSize, alignment);
        }
        // With no tensors there is no data section to align. gguf-py writes none of this padding then
        // (llama.cpp's C writer does); both read the same, and this way vocab-only files copy byte-identically.
        if (!tensors.isEmpty()) out.pad(alignment);
        for (Entry t : tensors.values()) {
            TensorOutput data = new TensorOutput(out, t.name, t.byteSize);
            t.source.writeTo(data);
            data.finish();
            out.pad(alignment);
        }
    }

    private int alignment() {
        MetadataValue a = metadata.get(ALIGNMENT_KEY);
        return a == null ? DEFAULT_ALIGNMENT : (Integer) a.value();
    }

    private static void checkAlignment(MetadataValue v) {
        // llama.cpp insists on uint32 here, and the reader on a power of two.
        if (v.type() != ValueType.UINT32 || !(v.value() instanceof Integer a) || a <= 0 || Integer.bitCount(a) != 1) {
            throw new IllegalArgumentException(ALIGNMENT_KEY + " must be a uint32 power of two, got " + v.type() + " " + v.value());
        }
    }

    private GgufWriter add(String name, GgmlType type, long[] shape, long size, TensorSource source) {
        if (source == null) throw new IllegalArgumentException("tensor '" + name + "' has no data");
        if (tensors.containsKey(name)) throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        tensors.put(name, new Entry(name, type, shape.clone(), size, source));
        return this;
    }

    /** Checks what the reader (and llama.cpp) will check, and returns the data size in bytes. */
    private static long byteSize(String name, GgmlType type, long[] shape) {
        if (name == null || type == null || shape == null) throw new IllegalArgumentException("tensor name, type and shape are required");
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name '" + name + "' is longer than " + MAX_NAME_BYTES + " bytes");
        }
        if (shape.length < 1 || shape.length > GgufReader.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + shape.length + " dimensions (1 to 4 allowed)");
        }
        for (long d : shape) {
            if (d <= 0) throw new IllegalArgumentException("tensor '" + name + "' has a non-positive dimension " + d);
        }
        if (shape[0] % type.blockSize != 0) {
            throw new IllegalArgumentException("tensor '" + name + "' row length " + shape[0] + " is not a multiple of the "
                    + type + " block size " + type.blockSize);
        }
        try {
            long elements = 1;
            for (long d : shape) elements = Math.multiplyExact(elements, d);
            return Math.multiplyExact(elements / type.blockSize, (long) type.typeSize);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor '" + name + "' is too large: " + Arrays.toString(shape));
        }
    }

    private static long padded(long n, int alignment) {
        return (n + alignment - 1) / alignment * alignment;
    }

    /** The metadata as it will be written, in order. */
    public Map<String, MetadataValue> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** Tensor names in the order they will be written. */
    public List<String> tensorNames() {
        return new ArrayList<>(tensors.keySet());
    }
}
