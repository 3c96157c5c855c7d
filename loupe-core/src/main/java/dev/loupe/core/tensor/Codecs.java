package dev.loupe.core.tensor;

import java.util.EnumMap;
import java.util.Map;

/** The table of types Loupe computes with. A type missing here is readable (inspect) but not computable. */
public final class Codecs {
    private static final Map<GgmlType, Codec> TABLE = new EnumMap<>(GgmlType.class);

    static {
        register(new F32Codec());
    }

    private Codecs() {}

    private static void register(Codec c) {
        TABLE.put(c.type(), c);
    }

    public static boolean supports(GgmlType type) {
        return TABLE.containsKey(type);
    }

    /** The codec for {@code type}; {@code tensorName} is only for the error message. */
    public static Codec of(GgmlType type, String tensorName) {
        Codec c = TABLE.get(type);
        if (c == null) {
            throw new UnsupportedTypeException("tensor '" + tensorName + "' has type " + type
                    + ", which Loupe cannot compute with yet (supported: " + TABLE.keySet() + ")");
        }
        return c;
    }
}
