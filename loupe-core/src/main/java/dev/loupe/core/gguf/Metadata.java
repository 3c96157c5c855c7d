package dev.loupe.core.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Typed, checked access to GGUF metadata. A wrong type is a {@link GgufException} naming the key. */
public final class Metadata {
    private final Map<String, MetadataValue> values;

    public Metadata(Map<String, MetadataValue> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public Map<String, MetadataValue> asMap() {
        return values;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public Optional<MetadataValue> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public String getString(String key) {
        return require(key, String.class, "a string");
    }

    public String getString(String key, String fallback) {
        return has(key) ? getString(key) : fallback;
    }

    public long getLong(String key) {
        Object v = raw(key);
        // A uint32 is stored as the int with the same bits; read it as the unsigned value it is.
        if (v instanceof Integer i && values.get(key).type() == ValueType.UINT32) return Integer.toUnsignedLong(i);
        if (v instanceof Integer i) return i;
        if (v instanceof Long l) return l;
        throw wrong(key, "an integer");
    }

    public long getLong(String key, long fallback) {
        return has(key) ? getLong(key) : fallback;
    }

    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw new GgufException("metadata '" + key + "' = " + v + " is out of range");
        return (int) v;
    }

    public int getInt(String key, int fallback) {
        return has(key) ? getInt(key) : fallback;
    }

    public float getFloat(String key) {
        Object v = raw(key);
        if (v instanceof Float f) return f;
        if (v instanceof Double d) return d.floatValue();
        if (v instanceof Integer i) return i;
        if (v instanceof Long l) return l;
        throw wrong(key, "a number");
    }

    public float getFloat(String key, float fallback) {
        return has(key) ? getFloat(key) : fallback;
    }

    public boolean getBool(String key, boolean fallback) {
        if (!has(key)) return fallback;
        Object v = raw(key);
        if (v instanceof Boolean b) return b;
        if (v instanceof Integer i) return i != 0;
        throw wrong(key, "a boolean");
    }

    public String[] getStringArray(String key) {
        return array(key, String[].class, "an array of strings");
    }

    /** A string array without decoding it: strings are made only for the entries asked for. */
    public GgufStrings getStrings(String key) {
        MetadataValue v = values.get(key);
        if (v == null) throw missing(key);
        if (!v.isArray() || v.elementType() != ValueType.STRING) throw wrong(key, "an array of strings");
        return v.strings();
    }

    public float[] getFloatArray(String key) {
        return array(key, float[].class, "an array of float32");
    }

    public int[] getIntArray(String key) {
        MetadataValue v = values.get(key);
        if (v == null) throw missing(key);
        if (v.value() instanceof int[] a) return a;
        if (v.value() instanceof long[] l) {
            int[] a = new int[l.length];
            for (int i = 0; i < l.length; i++) a[i] = Math.toIntExact(l[i]);
            return a;
        }
        throw wrong(key, "an array of integers");
    }

    private Object raw(String key) {
        MetadataValue v = values.get(key);
        if (v == null) throw missing(key);
        return v.value();
    }

    private <T> T require(String key, Class<T> type, String what) {
        Object v = raw(key);
        if (!type.isInstance(v)) throw wrong(key, what);
        return type.cast(v);
    }

    private <T> T array(String key, Class<T> type, String what) {
        MetadataValue v = values.get(key);
        if (v == null) throw missing(key);
        Object value = v.value();
        if (!v.isArray() || !type.isInstance(value)) throw wrong(key, what);
        return type.cast(value);
    }

    private static GgufException missing(String key) {
        return new GgufException("metadata '" + key + "' is missing");
    }

    private static GgufException wrong(String key, String what) {
        return new GgufException("metadata '" + key + "' should be " + what);
    }
}
