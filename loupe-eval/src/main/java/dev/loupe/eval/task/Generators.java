package dev.loupe.eval.task;

import dev.loupe.core.LoupeException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Data sets generated from a seed, so built-in tasks run offline and identically everywhere. */
public final class Generators {
    private Generators() {}

    public static List<Doc> generate(TaskSpec.GeneratorSpec g, String source) {
        int n = g.n() != null ? g.n() : 100;
        long seed = g.seed() != null ? g.seed() : 1234;
        if (n < 1) throw new LoupeException(source + ": generator n must be positive, got " + n);
        return switch (g.kind() == null ? "" : g.kind()) {
            case "arithmetic" -> arithmetic(n, seed, source);
            default -> throw new LoupeException(source + ": unknown generator '" + g.kind() + "' (known: arithmetic)");
        };
    }

    /**
     * Two- and three-digit sums, differences and products. SplittableRandom's sequence is specified, so a seed
     * names the same questions on every JVM.
     */
    static List<Doc> arithmetic(int n, long seed, String source) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Doc> docs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int a = rnd.nextInt(2, 100), b = rnd.nextInt(2, 100);
            int op = rnd.nextInt(3);
            String sym = switch (op) { case 0 -> "+"; case 1 -> "-"; default -> "*"; };
            long answer = switch (op) { case 0 -> a + b; case 1 -> a - b; default -> (long) a * b; };
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("question", "What is " + a + " " + sym + " " + b + "?");
            row.put("answer", String.valueOf(answer));
            docs.add(new Doc(i, source, i + 1, row));
        }
        return docs;
    }
}
