package dev.loupe.core.sample.constrain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a partial JSON text stands against a schema: an immutable pushdown automaton driven one byte at a time.
 * {@link #feed} returns the next state, or null when the byte cannot continue any valid text; {@link #cost} is the
 * fewest bytes that would complete the value, so a decoder can stop opening new structures when its budget runs
 * low. States are values (equal states hash alike), which is what lets {@link ConstraintVocab} cache token masks.
 *
 * <p>A state is a set of alternative stacks (an {@code anyOf} keeps several alive until the bytes tell them apart);
 * each stack is a persistent linked list of frames, shared between states, so a byte that does not change the
 * state (a plain character inside a string) allocates nothing.
 */
public final class JsonState implements GrammarState {
    /**
     * Whitespace bytes allowed in a row between tokens of the JSON text (not inside strings). JSON allows any
     * amount, but a model stuck emitting newlines would spend its whole budget on them; llama.cpp's JSON grammar
     * bounds them the same way. 20 still allows pretty-printing with deep indentation.
     */
    public static final int MAX_BLANK = 20;

    private final Stack[] alternatives;
    /** Structural whitespace bytes just before this state. */
    private final int blank;
    /** Computed on first use: most states live for one byte of a trie walk and are never hashed. */
    private int hash;
    private int cost = -1;

    private JsonState(Stack[] alternatives, int blank) {
        this.alternatives = alternatives;
        this.blank = blank;
    }

    /** Before the first byte of a value of {@code schema}; nothing may follow the value. */
    public static JsonState start(JsonSchema schema) {
        return new JsonState(new Stack[]{new Stack(new Value(SchemaNode.compile(schema)), new Stack(END, null))}, 0);
    }

    /** The state after byte {@code b} (0-255), or null if no valid text continues with it. */
    @Override
    public JsonState feed(int b) {
        if (alternatives.length == 1) {
            Stack only = alternatives[0];
            if (only.top instanceof Str s && s.plain() && b >= 0x20 && b < 0x80 && b != '"' && b != '\\') return this;
        }
        List<Stack> out = new ArrayList<>(alternatives.length + 1);
        for (Stack s : alternatives) feed(s, b, out);
        if (out.isEmpty()) return null;
        Stack[] next = out.size() == 1 ? new Stack[]{out.getFirst()} : out.stream().distinct().toArray(Stack[]::new);
        // Whitespace that leaves every stack as it was lies between tokens, unless all of them are inside a string.
        boolean structural = whitespace(b) && Arrays.equals(next, alternatives) && !inString();
        int run = structural ? blank + 1 : 0;
        if (run > MAX_BLANK) return null;
        if (run == blank && next.length == alternatives.length && Arrays.equals(next, alternatives)) return this;
        return new JsonState(next, run);
    }

    /** Whether every alternative is inside a string (where whitespace is content). */
    private boolean inString() {
        for (Stack s : alternatives) if (!(s.top instanceof Str)) return false;
        return true;
    }

    /** Feeds every byte; null as soon as one is refused. */
    @Override
    public JsonState feed(byte[] bytes) {
        JsonState s = this;
        for (int i = 0; i < bytes.length && s != null; i++) s = s.feed(bytes[i] & 0xFF);
        return s;
    }

    /** The fewest bytes that complete the value (0 when it is complete). */
    @Override
    public int cost() {
        if (cost < 0) {
            int best = Integer.MAX_VALUE;
            for (Stack s : alternatives) best = Math.min(best, cost(s));
            cost = best;
        }
        return cost;
    }

    /** Whether the text so far is a whole valid value (a number may still go on, though). */
    @Override
    public boolean complete() {
        return cost() == 0;
    }

    /** Whether the value is complete and no byte can follow. */
    @Override
    public boolean closed() {
        for (Stack s : alternatives) if (s.top != END) return false;
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonState s && hashCode() == s.hashCode() && blank == s.blank && Arrays.equals(alternatives, s.alternatives);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) hash = h = (Arrays.hashCode(alternatives) * 31 + blank) | 1;
        return h;
    }

    // ---- frames -------------------------------------------------------------------------------------------------

    private record Stack(Frame top, Stack rest) {}

    private sealed interface Frame {}

    /** Nothing more: the top-level value is done. */
    private record End() implements Frame {}

    private static final End END = new End();

    /** A value of {@code node} comes next (whitespace may precede it). */
    private record Value(SchemaNode node) implements Frame {}

    /**
     * Inside a string, after the opening quote. {@code escape}: 0 none, 1 after a backslash, 2-5 hex digits of a
     * {@code \\u} escape still due plus one. {@code need}: UTF-8 continuation bytes still due, the next in [lo, hi].
     */
    private record Str(int escape, int need, int lo, int hi) implements Frame {
        boolean plain() {
            return escape == 0 && need == 0;
        }

        int cost() {
            return (escape == 1 ? 1 : escape > 1 ? escape - 1 : 0) + need + 1;
        }
    }

    private static final Str STRING_START = new Str(0, 0, 0, 0);

    /** Matching one of {@code node.options}; {@code alive} marks those that still agree after {@code pos} bytes. */
    private record Lit(SchemaNode.Literals node, long alive, int pos) implements Frame {}

    /**
     * A number: 0 start, 1 after '-', 2 after a leading 0, 3 integer digits, 4 after '.', 5 fraction digits,
     * 6 after 'e', 7 after the exponent's sign, 8 exponent digits. 2, 3, 5 and 8 accept.
     */
    private record Num(boolean integer, int phase) implements Frame {
        boolean accepting() {
            return phase == 2 || phase == 3 || phase == 5 || phase == 8;
        }

        /** The phase after byte b, or -1. */
        int next(int b) {
            boolean digit = b >= '0' && b <= '9';
            return switch (phase) {
                case 0 -> b == '-' ? 1 : b == '0' ? 2 : digit ? 3 : -1;
                case 1 -> b == '0' ? 2 : digit ? 3 : -1;
                case 2, 3 -> phase == 3 && digit ? 3 : !integer && b == '.' ? 4 : !integer && (b == 'e' || b == 'E') ? 6 : -1;
                case 4, 5 -> digit ? 5 : phase == 5 && (b == 'e' || b == 'E') ? 6 : -1;
                case 6 -> b == '+' || b == '-' ? 7 : digit ? 8 : -1;
                case 7, 8 -> digit ? 8 : -1;
                default -> -1;
            };
        }
    }

    private static final int OPEN = 0, KEY = 1, COLON = 2, VALUE = 3, NEXT = 4, COMMA = 5;

    /** An object in {@code phase}; {@code seen} marks the properties written, {@code key} the one being written. */
    private record Obj(SchemaNode.Obj node, int phase, long seen, int key) implements Frame {}

    /** An array in phase OPEN, VALUE (an item is being written), NEXT or COMMA. */
    private record Arr(SchemaNode.Arr node, int phase) implements Frame {}

    // ---- transitions --------------------------------------------------------------------------------------------

    private static boolean whitespace(int b) {
        return b == ' ' || b == '\n' || b == '\t' || b == '\r';
    }

    private static Stack replace(Stack s, Frame f) {
        return new Stack(f, s.rest);
    }

    private static void feed(Stack s, int b, List<Stack> out) {
        switch (s.top) {
            case End e -> { }
            case Value v -> {
                if (whitespace(b)) out.add(s);
                else start(v.node(), s.rest, b, out);
            }
            case Str st -> {
                Frame n = string(st, b);
                if (n == END) out.add(done(s.rest, -1));
                else if (n == st) out.add(s);
                else if (n != null) out.add(replace(s, n));
            }
            case Num n -> {
                int p = n.next(b);
                if (p >= 0) out.add(replace(s, new Num(n.integer(), p)));
                else if (n.accepting()) feed(done(s.rest, -1), b, out);
            }
            case Lit l -> literal(s, l, b, out);
            case Obj o -> object(s, o, b, out);
            case Arr a -> array(s, a, b, out);
        }
    }

    /** The first byte of a value of {@code node}, on top of {@code rest}. */
    private static void start(SchemaNode node, Stack rest, int b, List<Stack> out) {
        switch (node) {
            case SchemaNode.Union u -> {
                for (SchemaNode alt : u.alternatives) start(alt, rest, b, out);
            }
            case SchemaNode.Obj o -> {
                if (b == '{') out.add(new Stack(new Obj(o, OPEN, 0, -1), rest));
            }
            case SchemaNode.Arr a -> {
                if (b == '[') out.add(new Stack(new Arr(a, OPEN), rest));
            }
            case SchemaNode.Literals l -> literal(new Stack(new Lit(l, l.all, 0), rest), new Lit(l, l.all, 0), b, out);
            case SchemaNode.Leaf leaf -> {
                switch (leaf.kind) {
                    case STRING -> {
                        if (b == '"') out.add(new Stack(STRING_START, rest));
                    }
                    case NUMBER, INTEGER -> {
                        Num n = new Num(leaf.kind == SchemaNode.Kind.INTEGER, 0);
                        int p = n.next(b);
                        if (p >= 0) out.add(new Stack(new Num(n.integer(), p), rest));
                    }
                    case ANY -> {
                        if (b == '{') start(SchemaNode.ANY_OBJECT, rest, b, out);
                        else if (b == '[') start(SchemaNode.ANY_ARRAY, rest, b, out);
                        else if (b == '"') start(SchemaNode.STRING, rest, b, out);
                        else if (b == '-' || b >= '0' && b <= '9') start(SchemaNode.NUMBER, rest, b, out);
                        else start(SchemaNode.WORDS, rest, b, out);
                    }
                }
            }
        }
    }

    /** A string's next frame after byte b: itself, another Str, END when the closing quote came, or null. */
    private static Frame string(Str s, int b) {
        if (s.need > 0) {
            if (b < s.lo || b > s.hi) return null;
            return s.need == 1 ? STRING_START : new Str(0, s.need - 1, 0x80, 0xBF);
        }
        if (s.escape == 1) {
            if (b == 'u') return new Str(5, 0, 0, 0);
            return "\"\\/bfnrt".indexOf(b) >= 0 ? STRING_START : null;
        }
        if (s.escape > 1) {
            boolean hex = b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F';
            if (!hex) return null;
            return s.escape == 2 ? STRING_START : new Str(s.escape - 1, 0, 0, 0);
        }
        if (b == '"') return END;
        if (b == '\\') return new Str(1, 0, 0, 0);
        if (b < 0x20) return null;
        if (b < 0x80) return s;
        // UTF-8 lead bytes with the ranges RFC 3629 allows for the next byte (no overlongs, no surrogates).
        if (b >= 0xC2 && b <= 0xDF) return new Str(0, 1, 0x80, 0xBF);
        if (b == 0xE0) return new Str(0, 2, 0xA0, 0xBF);
        if (b >= 0xE1 && b <= 0xEC || b == 0xEE || b == 0xEF) return new Str(0, 2, 0x80, 0xBF);
        if (b == 0xED) return new Str(0, 2, 0x80, 0x9F);
        if (b == 0xF0) return new Str(0, 3, 0x90, 0xBF);
        if (b >= 0xF1 && b <= 0xF3) return new Str(0, 3, 0x80, 0xBF);
        if (b == 0xF4) return new Str(0, 3, 0x80, 0x8F);
        return null;
    }

    private static void literal(Stack s, Lit l, int b, List<Stack> out) {
        String[] options = l.node().options;
        long next = 0;
        int matched = -1;
        for (long m = l.alive(); m != 0; m &= m - 1) {
            int i = Long.numberOfTrailingZeros(m);
            String o = options[i];
            if (o.length() > l.pos() && o.charAt(l.pos()) == b) next |= 1L << i;
            else if (o.length() == l.pos()) matched = i;
        }
        if (next != 0) {
            // Pop as soon as exactly one option is left and it is fully matched.
            if (Long.bitCount(next) == 1) {
                int i = Long.numberOfTrailingZeros(next);
                if (options[i].length() == l.pos() + 1) {
                    out.add(done(s.rest, l.node().ids[i]));
                    return;
                }
            }
            out.add(replace(s, new Lit(l.node(), next, l.pos() + 1)));
        } else if (matched >= 0) {
            feed(done(s.rest, l.node().ids[matched]), b, out);
        }
    }

    private static void object(Stack s, Obj o, int b, List<Stack> out) {
        SchemaNode.Obj node = o.node();
        if (whitespace(b) && o.phase() != KEY && o.phase() != VALUE) {
            out.add(s);
            return;
        }
        switch (o.phase()) {
            case OPEN, COMMA -> {
                if (b == '"') {
                    Stack obj = replace(s, new Obj(node, KEY, o.seen(), -1));
                    Frame key = node.free ? STRING_START : new Lit(node.keys, node.keys.all & ~o.seen(), 0);
                    out.add(new Stack(key, obj));
                } else if (b == '}' && o.phase() == OPEN && node.canClose(o.seen())) {
                    out.add(done(s.rest, -1));
                }
            }
            case COLON -> {
                if (b == ':') out.add(new Stack(new Value(node.valueOf(o.key())), replace(s, new Obj(node, VALUE, o.seen(), o.key()))));
            }
            case NEXT -> {
                if (b == ',' && node.hasMoreKeys(o.seen())) out.add(replace(s, new Obj(node, COMMA, o.seen(), -1)));
                else if (b == '}' && node.canClose(o.seen())) out.add(done(s.rest, -1));
            }
            default -> { } // KEY and VALUE have a child frame on top
        }
    }

    private static void array(Stack s, Arr a, int b, List<Stack> out) {
        if (whitespace(b)) {
            out.add(s);
            return;
        }
        switch (a.phase()) {
            case OPEN, COMMA -> {
                if (b == ']' && a.phase() == OPEN) out.add(done(s.rest, -1));
                else start(a.node().items, replace(s, new Arr(a.node(), VALUE)), b, out);
            }
            case NEXT -> {
                if (b == ',') out.add(replace(s, new Arr(a.node(), COMMA)));
                else if (b == ']') out.add(done(s.rest, -1));
            }
            default -> { }
        }
    }

    /** The parent's frame after its child value (or key, {@code key} being its property index) completed. */
    private static Stack done(Stack parent, int key) {
        return switch (parent.top) {
            case Obj o when o.phase() == KEY ->
                    replace(parent, new Obj(o.node(), COLON, key >= 0 ? o.seen() | 1L << key : o.seen(), key));
            case Obj o -> replace(parent, new Obj(o.node(), NEXT, o.seen(), -1));
            case Arr a -> replace(parent, new Arr(a.node(), NEXT));
            default -> parent; // END: the top-level value is done
        };
    }

    // ---- costs --------------------------------------------------------------------------------------------------

    /** Fewest bytes to complete one stack: each frame's own share, innermost first. */
    private static int cost(Stack s) {
        int sum = 0;
        for (Stack f = s; f != null; f = f.rest) {
            switch (f.top) {
                case End e -> { }
                case Value v -> sum += v.node().minLength;
                case Str st -> sum += st.cost();
                case Num n -> sum += n.accepting() ? 0 : 1;
                case Lit l -> {
                    if (f.rest.top instanceof Obj o && o.phase() == KEY) {
                        sum += keyCost(l, o); // the key's rest and the object's rest depend on which key it becomes
                        f = f.rest;
                    } else {
                        sum += literalCost(l);
                    }
                }
                case Obj o -> sum += objectCost(o);
                case Arr a -> sum += a.phase() == COMMA ? a.node().items.minLength + 1 : 1;
            }
        }
        return sum;
    }

    private static int literalCost(Lit l) {
        int best = Integer.MAX_VALUE;
        for (long m = l.alive(); m != 0; m &= m - 1) best = Math.min(best, l.node().options[Long.numberOfTrailingZeros(m)].length() - l.pos());
        return best;
    }

    private static int keyCost(Lit l, Obj o) {
        int best = Integer.MAX_VALUE;
        for (long m = l.alive(); m != 0; m &= m - 1) {
            int i = Long.numberOfTrailingZeros(m);
            int k = l.node().ids[i];
            best = Math.min(best, l.node().options[i].length() - l.pos() + o.node().afterKey(k, o.seen() | 1L << k));
        }
        return best;
    }

    private static int objectCost(Obj o) {
        SchemaNode.Obj n = o.node();
        return switch (o.phase()) {
            case OPEN -> n.closeAfterOpen(o.seen());
            case KEY -> n.afterKey(-1, o.seen()); // a free key (a string frame on top)
            case COLON -> n.afterKey(o.key(), o.seen());
            case VALUE, NEXT -> n.closeAfterValue(o.seen());
            default -> n.afterComma(o.seen());
        };
    }
}
