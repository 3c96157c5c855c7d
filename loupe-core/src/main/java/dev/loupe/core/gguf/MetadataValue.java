package dev.loupe.core.gguf;

import java.util.Arrays;

/**
 * One metadata value. Scalars are boxed Java values (Integer for UINT8..INT32 and BOOL as Boolean,
 * Long for 64-bit ints, Float, Double, String). Arrays keep a primitive Java array
 * (byte[], short[], int[], long[], float[], double[], boolean[], String[]) so that a 128k-entry
 * vocabulary does not become 128k boxed objects; {@code elementType} says which GGUF type it was.
 * A string array read from a file is held as {@link GgufStrings} and becomes a String[] only when
 * {@link #value()} is asked for it; {@link #strings()} reads it without decoding every string.
 */
public record MetadataValue(ValueType type, ValueType elementType, Object value) {

    public static MetadataValue of(ValueType type, Object value) {
        return new MetadataValue(type, null, value);
    }

    public static MetadataValue array(ValueType elementType, Object array) {
        return new MetadataValue(ValueType.ARRAY, elementType, array);
    }

    /**
     * The value. A string array read from a file is decoded here into a fresh String[] (each string once, then
     * cached), so code that only looks strings up should use {@link #strings()}.
     */
    @Override
    public Object value() {
        if (value instanceof GgufStrings s) return s.toArray();
        return value;
    }

    /** A string array as {@link GgufStrings} (decoded lazily); an IllegalStateException for anything else. */
    public GgufStrings strings() {
        if (value instanceof GgufStrings s) return s;
        if (value instanceof String[] a) return GgufStrings.of(a);
        throw new IllegalStateException("not a string array: " + type + (elementType == null ? "" : " of " + elementType));
    }

    public boolean isArray() {
        return type == ValueType.ARRAY;
    }

    public int arrayLength() {
        return value instanceof GgufStrings s ? s.size() : java.lang.reflect.Array.getLength(value);
    }

    /** A short human-readable form, arrays shortened; used by inspect. */
    public String display(int maxItems) {
        if (!isArray()) return type == ValueType.STRING ? quote((String) value) : String.valueOf(value);
        int n = arrayLength();
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Math.min(n, maxItems); i++) {
            if (i > 0) sb.append(", ");
            Object v = value instanceof GgufStrings s ? s.get(i) : java.lang.reflect.Array.get(value, i);
            sb.append(v instanceof String s ? quote(s) : String.valueOf(v));
        }
        if (n > maxItems) sb.append(", ... (").append(n).append(" items)");
        return sb.append(']').toString();
    }

    private static String quote(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return '"' + t.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"") + '"';
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MetadataValue m) || m.type != type || m.elementType != elementType) return false;
        if (!isArray()) return value.equals(m.value);
        return Arrays.deepEquals(new Object[]{value()}, new Object[]{m.value()});
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + (isArray() ? Arrays.deepHashCode(new Object[]{value()}) : value.hashCode());
    }
}
