package dev.loupe.core.sample.constrain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link JsonSchema} compiled for the automaton: literals as byte strings, object properties indexed for a bit set,
 * and the fewest bytes that complete each kind of value, so {@link JsonState#cost()} can say how many bytes a partial
 * output still needs. Nodes compare by identity, which keeps the automaton's states cheap to hash.
 */
abstract sealed class SchemaNode {
    /** The shortest JSON text this node accepts, in bytes. */
    final int minLength;

    SchemaNode(int minLength) {
        this.minLength = minLength;
    }

    enum Kind { ANY, STRING, NUMBER, INTEGER }

    /** Scalars whose syntax the automaton knows directly. */
    static final class Leaf extends SchemaNode {
        final Kind kind;

        private Leaf(Kind kind, int minLength) {
            super(minLength);
            this.kind = kind;
        }
    }

    static final Leaf ANY = new Leaf(Kind.ANY, 1);          // 0
    static final Leaf STRING = new Leaf(Kind.STRING, 2);    // ""
    static final Leaf NUMBER = new Leaf(Kind.NUMBER, 1);
    static final Leaf INTEGER = new Leaf(Kind.INTEGER, 1);
    /** The words a free value may be: true, false, null. */
    static final Literals WORDS = Literals.of(List.of("true", "false", "null"));
    static final Obj ANY_OBJECT = new Obj(new String[0], new SchemaNode[0], 0);
    static final Arr ANY_ARRAY = new Arr(ANY);

    /**
     * A fixed set of byte strings (each char is one byte, 0-255), at most 64 so the live ones fit a long. {@code ids}
     * says what each stands for (a property index for keys, -1 for values).
     */
    static final class Literals extends SchemaNode {
        final String[] options;
        final int[] ids;
        final long all;

        private Literals(String[] options, int[] ids) {
            super(minLen(options));
            if (options.length > 64) throw new IllegalArgumentException("at most 64 literal values are supported, got " + options.length);
            this.options = options;
            this.ids = ids;
            this.all = options.length == 64 ? -1L : (1L << options.length) - 1;
        }

        static Literals of(List<String> jsonTexts) {
            String[] o = new String[jsonTexts.size()];
            int[] ids = new int[o.length];
            for (int i = 0; i < o.length; i++) {
                o[i] = bytes(jsonTexts.get(i));
                ids[i] = -1;
            }
            return new Literals(o, ids);
        }

        private static int minLen(String[] options) {
            int m = Integer.MAX_VALUE;
            for (String s : options) m = Math.min(m, s.length());
            return m;
        }
    }

    static final class Arr extends SchemaNode {
        final SchemaNode items;

        Arr(SchemaNode items) {
            super(2);
            this.items = items;
        }
    }

    static final class Union extends SchemaNode {
        final SchemaNode[] alternatives;

        Union(SchemaNode[] alternatives) {
            super(min(alternatives));
            this.alternatives = alternatives;
        }

        private static int min(SchemaNode[] a) {
            int m = Integer.MAX_VALUE;
            for (SchemaNode n : a) m = Math.min(m, n.minLength);
            return m;
        }
    }

    /**
     * An object with declared properties (generated in any order, each at most once, the object closing only when the
     * required ones are there), or with none declared: free keys with any values ({@link #free}).
     */
    static final class Obj extends SchemaNode {
        final boolean free;
        final SchemaNode[] values;
        /** Keys after their opening quote: the escaped name and the closing quote, as {@link Literals}. */
        final Literals keys;
        final long required;
        /** Bytes of {@code "name":} plus the value's minimum, per property. */
        private final int[] memberCost;

        Obj(String[] names, SchemaNode[] values, long required) {
            String[] keyTexts = new String[names.length];
            int[] ids = new int[names.length];
            int[] costs = new int[names.length];
            for (int i = 0; i < names.length; i++) {
                keyTexts[i] = bytes(quote(names[i]).substring(1));
                ids[i] = i;
                costs[i] = keyTexts[i].length() + 2 + values[i].minLength;
            }
            super(1 + close(costs, required, 0, false));
            this.free = names.length == 0;
            this.values = values;
            this.required = required;
            this.memberCost = costs;
            this.keys = new Literals(keyTexts, ids);
        }

        int closeAfterOpen(long seen) {
            return close(memberCost, required, seen, false);
        }

        int closeAfterValue(long seen) {
            return close(memberCost, required, seen, true);
        }

        /** Bytes to close the object from just after '{' (or after a value), adding the missing required members. */
        private static int close(int[] memberCost, long required, long seen, boolean afterValue) {
            int sum = 0, missing = 0;
            for (int i = 0; i < memberCost.length; i++) {
                if ((required & ~seen & (1L << i)) == 0) continue;
                sum += memberCost[i];
                missing++;
            }
            if (missing == 0) return 1;
            return sum + (afterValue ? missing : missing - 1) + 1;
        }

        boolean canClose(long seen) {
            return (required & ~seen) == 0;
        }

        boolean hasMoreKeys(long seen) {
            return free || (keys.all & ~seen) != 0;
        }

        /** After a comma: one more member must come, then the object closes. */
        int afterComma(long seen) {
            if (!canClose(seen)) return closeAfterOpen(seen);
            if (free) return 5; // "":0}
            int best = Integer.MAX_VALUE;
            for (int i = 0; i < values.length; i++) if ((seen & (1L << i)) == 0) best = Math.min(best, memberCost[i]);
            return best + 1;
        }

        /** After key {@code k}'s closing quote, with {@code seen} including k: the colon, the value, the rest. */
        int afterKey(int k, long seen) {
            return 1 + valueOf(k).minLength + closeAfterValue(seen);
        }

        SchemaNode valueOf(int k) {
            return k < 0 ? ANY : values[k];
        }
    }

    private static final int COMPILED_LIMIT = 256;
    private static final Map<JsonSchema, SchemaNode> COMPILED = new ConcurrentHashMap<>();

    /**
     * The compiled form of {@code s}, the same node for equal schemas (so states of two requests with one schema are
     * equal and share cached masks).
     */
    static SchemaNode compile(JsonSchema s) {
        SchemaNode n = COMPILED.get(s);
        if (n != null) return n;
        n = compileTree(s);
        if (COMPILED.size() >= COMPILED_LIMIT) COMPILED.clear();
        SchemaNode raced = COMPILED.putIfAbsent(s, n);
        return raced != null ? raced : n;
    }

    /** Compiles a schema; shared leaves keep the compiled graph small. */
    private static SchemaNode compileTree(JsonSchema s) {
        return switch (s) {
            case JsonSchema.AnyValue a -> ANY;
            case JsonSchema.StringSchema x -> STRING;
            case JsonSchema.NumberSchema x -> NUMBER;
            case JsonSchema.IntegerSchema x -> INTEGER;
            case JsonSchema.BooleanSchema x -> Literals.of(List.of("true", "false"));
            case JsonSchema.NullSchema x -> Literals.of(List.of("null"));
            case JsonSchema.EnumSchema e -> Literals.of(e.jsonValues());
            case JsonSchema.ArraySchema a -> new Arr(compile(a.items()));
            case JsonSchema.AnyOf u -> {
                List<SchemaNode> alts = new ArrayList<>();
                for (JsonSchema alt : u.alternatives()) alts.add(compile(alt));
                yield alts.size() == 1 ? alts.getFirst() : new Union(alts.toArray(new SchemaNode[0]));
            }
            case JsonSchema.ObjectSchema o -> {
                if (o.properties().isEmpty()) yield ANY_OBJECT;
                String[] names = new String[o.properties().size()];
                SchemaNode[] values = new SchemaNode[names.length];
                long required = 0;
                int i = 0;
                for (Map.Entry<String, JsonSchema> e : o.properties().entrySet()) {
                    names[i] = e.getKey();
                    values[i] = compile(e.getValue());
                    if (o.required().contains(e.getKey())) required |= 1L << i;
                    i++;
                }
                yield new Obj(names, values, required);
            }
        };
    }

    /** UTF-8 bytes of {@code text}, one char per byte, so literals compare byte by byte as strings. */
    static String bytes(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** {@code s} as a JSON string literal, escaping only what JSON requires. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
