package dev.loupe.lens;

import dev.loupe.core.tokenizer.Tokenizer;

/** Token ids as short readable labels for tables and pages: control characters and spaces made visible. */
public final class TokenText {
    private TokenText() {}

    public static String label(Tokenizer tok, int id) {
        String s = new String(tok.tokenBytes(id, true), java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case ' ' -> b.append('\u00B7'); // a middle dot, so leading spaces stay visible in a cell
                default -> b.append(c < 0x20 ? String.format("\\x%02x", (int) c) : String.valueOf(c));
            }
        }
        return b.isEmpty() ? "<" + id + ">" : b.toString();
    }

    public static String[] labels(Tokenizer tok, int[] ids) {
        String[] out = new String[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = label(tok, ids[i]);
        return out;
    }
}
