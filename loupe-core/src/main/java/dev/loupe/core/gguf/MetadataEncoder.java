package dev.loupe.core.gguf;

import java.io.IOException;

/**
 * Writes {@link MetadataValue}s in GGUF's encoding, the inverse of {@link GgufReader}'s value parsing.
 * {@link #check} runs when a value is added, so a wrong Java type fails at the call that caused it
 * instead of halfway through writing a file.
 */
final class MetadataEncoder {
    private MetadataEncoder() {}

    /** Throws IllegalArgumentException unless {@code v} holds what the reader would produce for its type. */
    static void check(String key, MetadataValue v) {
        if (v == null || v.type() == null || v.value() == null) throw new IllegalArgumentException("metadata '" + key + "' has no value");
        if (!v.isArray()) {
            if (v.elementType() != null) throw new IllegalArgumentException("metadata '" + key + "' is a scalar with an element type");
            checkScalar(key, v.type(), v.value());
            return;
        }
        ValueType e = v.elementType();
        if (e == null || e == ValueType.ARRAY) {
            // llama.cpp cannot read nested arrays either.
            throw new IllegalArgumentException("metadata '" + key + "' must be an array of scalars or strings, not " + e);
        }
        Class<?> want = arrayClass(e);
        if (!want.isInstance(v.value())) {
            throw new IllegalArgumentException("metadata '" + key + "' is an array of " + e + " and needs a " + want.getSimpleName()
                    + ", got " + v.value().getClass().getSimpleName());
        }
        if (v.value() instanceof String[] s) {
            for (int i = 0; i < s.length; i++) {
                if (s[i] == null) throw new IllegalArgumentException("metadata '" + key + "'[" + i + "] is null");
            }
        }
    }

    static void write(GgufOutput out, MetadataValue v) throws IOException {
        out.u32(v.type().id);
        if (!v.isArray()) {
            scalar(out, v.type(), v.value());
            return;
        }
        out.u32(v.elementType().id);
        out.u64(v.arrayLength());
        switch (v.value()) {
            case byte[] a -> out.bytes(a, 0, a.length);
            case short[] a -> { for (short x : a) out.u16(x); }
            case int[] a -> { for (int x : a) out.u32(x); }
            case long[] a -> { for (long x : a) out.u64(x); }
            case float[] a -> { for (float x : a) out.f32(x); }
            case double[] a -> { for (double x : a) out.f64(x); }
            case boolean[] a -> { for (boolean x : a) out.u8(x ? 1 : 0); }
            case String[] a -> { for (String x : a) out.string(x); }
            default -> throw new AssertionError(v.value().getClass());
        }
    }

    private static void scalar(GgufOutput out, ValueType type, Object value) throws IOException {
        switch (type) {
            case UINT8, INT8 -> out.u8((Integer) value);
            case UINT16, INT16 -> out.u16((Integer) value);
            case UINT32, INT32 -> out.u32((Integer) value);
            case UINT64, INT64 -> out.u64((Long) value);
            case FLOAT32 -> out.f32((Float) value);
            case FLOAT64 -> out.f64((Double) value);
            case BOOL -> out.u8((Boolean) value ? 1 : 0);
            case STRING -> out.string((String) value);
            case ARRAY -> throw new AssertionError();
        }
    }

    private static void checkScalar(String key, ValueType type, Object value) {
        boolean ok = switch (type) {
            // Small integers are boxed as Integer by the reader; out-of-range ones would be silently cut.
            case UINT8 -> value instanceof Integer i && i >= 0 && i <= 0xFF;
            case INT8 -> value instanceof Integer i && i >= Byte.MIN_VALUE && i <= Byte.MAX_VALUE;
            case UINT16 -> value instanceof Integer i && i >= 0 && i <= 0xFFFF;
            case INT16 -> value instanceof Integer i && i >= Short.MIN_VALUE && i <= Short.MAX_VALUE;
            // UINT32 keeps its raw bits in an int, as the reader does.
            case UINT32, INT32 -> value instanceof Integer;
            case UINT64, INT64 -> value instanceof Long;
            case FLOAT32 -> value instanceof Float;
            case FLOAT64 -> value instanceof Double;
            case BOOL -> value instanceof Boolean;
            case STRING -> value instanceof String;
            case ARRAY -> false;
        };
        if (!ok) {
            throw new IllegalArgumentException("metadata '" + key + "' of type " + type + " cannot hold "
                    + value.getClass().getSimpleName() + " " + value);
        }
    }

    private static Class<?> arrayClass(ValueType e) {
        return switch (e) {
            case UINT8, INT8 -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> throw new AssertionError();
        };
    }
}
