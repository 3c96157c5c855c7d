package dev.loupe.core.gguf;

import java.nio.charset.StandardCharsets;

/**
 * An array of strings kept as the file stores them: UTF-8 bytes, each after its 8-byte length, in one heap
 * copy of the array's region. A vocabulary (128k tokens) and its merges (280k) made 400k Java strings at
 * load, most never looked at; here loading is one bulk copy plus a walk over the lengths, and a string is
 * decoded the first time it is asked for (then cached). Lookups by content can work on the bytes
 * ({@link #bytes}, {@link #start}, {@link #length}) without decoding at all.
 *
 * <p>Immutable once built, so safe to share; the cache is filled racily, which is harmless for equal strings.
 */
public final class GgufStrings {
    private final byte[] bytes;
    /** offsets[i]: where string i's bytes start; offsets[n] = bytes.length + 8, so every length is a difference. */
    private final int[] offsets;
    private String[] decoded;

    GgufStrings(byte[] bytes, int[] offsets) {
        this.bytes = bytes;
        this.offsets = offsets;
    }

    /** The same layout built from Java strings (metadata made in memory rather than read from a file). */
    public static GgufStrings of(String[] strings) {
        byte[][] utf8 = new byte[strings.length][];
        long total = 0;
        for (int i = 0; i < strings.length; i++) {
            utf8[i] = strings[i].getBytes(StandardCharsets.UTF_8);
            total += 8 + utf8[i].length;
        }
        if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("string array too large: " + total + " bytes");
        byte[] bytes = new byte[(int) total];
        int[] offsets = new int[strings.length + 1];
        int pos = 0;
        for (int i = 0; i < strings.length; i++) {
            offsets[i] = pos + 8;
            System.arraycopy(utf8[i], 0, bytes, pos + 8, utf8[i].length);
            pos += 8 + utf8[i].length;
        }
        offsets[strings.length] = pos + 8;
        GgufStrings s = new GgufStrings(bytes, offsets);
        s.decoded = strings.clone();
        return s;
    }

    public int size() {
        return offsets.length - 1;
    }

    /** String {@code i}, decoded from UTF-8 on first use (malformed bytes become U+FFFD, as new String does). */
    public String get(int i) {
        String[] cache = decoded;
        if (cache == null) decoded = cache = new String[size()];
        String s = cache[i];
        if (s == null) cache[i] = s = new String(bytes, offsets[i], length(i), StandardCharsets.UTF_8);
        return s;
    }

    /** All strings, decoded (a fresh array). */
    public String[] toArray() {
        String[] out = new String[size()];
        for (int i = 0; i < out.length; i++) out[i] = get(i);
        return out;
    }

    /** The shared backing bytes; string i is {@code bytes()[start(i) .. start(i) + length(i))}. Do not modify. */
    public byte[] bytes() {
        return bytes;
    }

    public int start(int i) {
        return offsets[i];
    }

    /** Length of string i in UTF-8 bytes. */
    public int length(int i) {
        return offsets[i + 1] - 8 - offsets[i];
    }

    /** Whether string i's bytes equal {@code key[from, from + len)}. */
    public boolean equals(int i, byte[] key, int from, int len) {
        int s = offsets[i];
        return length(i) == len && java.util.Arrays.equals(bytes, s, s + len, key, from, from + len);
    }
}
