package dev.loupe.cli;

import dev.loupe.core.LoupeException;

import java.util.Locale;

/** Sizes as people type them ({@code 512m}, {@code 2g}, {@code 1.5GiB}, {@code 100000} bytes), and as listings show them. */
final class ByteSize {
    private ByteSize() {}

    static long parse(String text, String option) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                case 't' -> unit = 1L << 40;
                default -> { }
            }
            if (unit > 1) t = t.substring(0, t.length() - 1);
        }
        try {
            double v = Double.parseDouble(t);
            if (v <= 0 || Double.isNaN(v) || v * unit > Long.MAX_VALUE) throw new NumberFormatException();
            return (long) (v * unit);
        } catch (NumberFormatException e) {
            throw new LoupeException(option + " takes a size such as 512m or 2g, got '" + text + "'");
        }
    }

    /** {@code bytes} for a listing: one decimal in KiB, MiB or GiB. */
    static String format(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
}
