package dev.loupe.train.bpe;

/**
 * GPT-2's reversible byte-to-character mapping: every byte is spelled as a printable code point, so
 * vocabulary entries and merges never contain raw control bytes or spaces (a space is 'Ġ'). This is the
 * table llama.cpp and Loupe's engine undo when decoding a "gpt2" tokenizer, so it must match theirs exactly.
 */
public final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];

    static {
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean direct = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = direct ? (char) b : (char) (256 + n++);
        }
    }

    private static final int[] CHAR_TO_BYTE = new int[324];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
    }

    private ByteLevel() {}

    /** The byte a vocabulary character spells. */
    public static int toByte(char c) {
        int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
        if (b < 0) throw new IllegalArgumentException("'" + c + "' is not a byte-level character");
        return b;
    }

    /** The vocabulary spelling of one byte. */
    public static char of(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The vocabulary spelling of a byte sequence. */
    public static String spell(byte[] bytes, int off, int len) {
        char[] out = new char[len];
        for (int i = 0; i < len; i++) out[i] = BYTE_TO_CHAR[bytes[off + i] & 0xFF];
        return new String(out);
    }
}
