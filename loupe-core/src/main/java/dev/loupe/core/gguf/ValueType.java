package dev.loupe.core.gguf;

/** GGUF metadata value types, with their on-disk ids and fixed sizes (0 for variable-length ones). */
public enum ValueType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4),
    BOOL(7, 1), STRING(8, 0), ARRAY(9, 0), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    public final int id;
    /** Bytes one value takes on disk; 0 where it depends on the value. */
    public final int size;

    ValueType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    /** The smallest number of bytes one value can take; bounds array counts before anything is allocated. */
    public int minSize() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> size;
        };
    }

    private static final ValueType[] BY_ID = values();

    public static ValueType byId(int id) {
        if (id < 0 || id >= BY_ID.length) return null;
        return BY_ID[id];
    }
}
