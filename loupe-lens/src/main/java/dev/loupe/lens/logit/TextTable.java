package dev.loupe.lens.logit;

import java.util.List;

/** Columns padded to their widest cell, for terminal output. */
public final class TextTable {
    private TextTable() {}

    public static String render(List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) w[i] = header.get(i).length();
        for (List<String> r : rows) for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], r.get(i).length());
        StringBuilder b = new StringBuilder();
        line(b, header, w);
        for (List<String> r : rows) line(b, r, w);
        return b.toString();
    }

    private static void line(StringBuilder b, List<String> cells, int[] w) {
        for (int i = 0; i < w.length; i++) {
            if (i > 0) b.append("  ");
            String c = cells.get(i);
            b.append(c).append(" ".repeat(w[i] - c.length()));
        }
        b.setLength(b.length() - (b.length() > 0 && b.charAt(b.length() - 1) == ' ' ? trailing(b) : 0));
        b.append('\n');
    }

    private static int trailing(StringBuilder b) {
        int n = 0;
        while (n < b.length() && b.charAt(b.length() - 1 - n) == ' ') n++;
        return n;
    }
}
