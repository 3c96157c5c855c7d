package dev.loupe.core.tokenizer;

/**
 * Per-token attribute bits, as llama.cpp keeps them. They are bits rather than one enum because the
 * loader adds to them (an end-of-generation text becomes CONTROL, a control token named "unused" also
 * becomes UNUSED, Phi-3 special tokens gain RSTRIP) and every later decision tests single bits.
 */
public final class TokenAttr {
    private TokenAttr() {}

    public static final int UNDEFINED = 0;
    public static final int UNKNOWN = 1 << 0;
    public static final int UNUSED = 1 << 1;
    public static final int NORMAL = 1 << 2;
    public static final int CONTROL = 1 << 3;
    public static final int USER_DEFINED = 1 << 4;
    public static final int BYTE = 1 << 5;
    public static final int NORMALIZED = 1 << 6;
    public static final int LSTRIP = 1 << 7;
    public static final int RSTRIP = 1 << 8;
    public static final int SINGLE_WORD = 1 << 9;

    /** Maps a GGUF {@code tokenizer.ggml.token_type} value (llama_token_type) to attribute bits. */
    static int fromGgufType(int type) {
        return switch (type) {
            case 1 -> NORMAL;
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> UNDEFINED;
        };
    }
}
