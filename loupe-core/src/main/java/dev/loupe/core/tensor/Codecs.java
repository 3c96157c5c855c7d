package dev.loupe.core.tensor;

import java.util.EnumMap;
import java.util.Map;

/** The table of types Loupe computes with. A type missing here is readable (inspect) but not computable. */
public final class Codecs {
    private static final Map<GgmlType, Codec> TABLE = new EnumMap<>(GgmlType.class);

    static {
        register(new F32Codec());
        register(new F16Codec());
        register(new BF16Codec());
        register(new Q8_0Codec());
        register(new Q4_0Codec());
        register(new Q4_1Codec());
        register(new Q5_0Codec());
        register(new Q5_1Codec());
        register(new Q2_KCodec());
        register(new Q3_KCodec());
        register(new Q4_KCodec());
        register(new Q5_KCodec());
        register(new Q6_KCodec());
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
