package dev.loupe.data.dedup;

/** Fast, well-mixed 64-bit hashes of text; deterministic on every JVM (unlike String.hashCode's 32 bits). */
public final class Hashing {
    private Hashing() {}

    /** FNV-1a over UTF-16 units, finished with SplitMix64's mixer so nearby strings land far apart. */
    public static long hash(CharSequence s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix(h ^ s.length());
    }

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Lowercased, punctuation removed, whitespace runs collapsed: what "the same text" means for dedup. */
    public static String normalize(String text) {
        StringBuilder b = new StringBuilder(text.length());
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                space = !b.isEmpty();
                continue;
            }
            if (dev.loupe.data.filter.Text.isPunct(c)) continue;
            if (space) b.append(' ');
            space = false;
            b.append(Character.toLowerCase(c));
        }
        return b.toString();
    }
}
