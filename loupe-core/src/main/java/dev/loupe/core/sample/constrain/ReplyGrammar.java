package dev.loupe.core.sample.constrain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shape of a whole reply that mixes free text with structured parts, as chat formats write tool calls: free text
 * until a marker ({@code <tool_call>}, {@code [TOOL_CALLS]}), then fixed syntax around JSON values that must validate
 * against their schemas. llama.cpp expresses the same with a "lazy" GBNF grammar that wakes up at a trigger word;
 * here it is a small {@link Pattern} compiled to a program that a set of threads runs byte by byte (a Pike VM), so
 * alternatives (which function, one more call or the end) stay open until the bytes decide.
 *
 * <p>Every byte the state accepts is given a {@link Role}, which is what lets a reader split a generated reply into
 * its content, function names and arguments as it streams, with the same program that constrained it.
 */
public final class ReplyGrammar {
    /** What a byte of the reply is. */
    public enum Role { CONTENT, SYNTAX, NAME, ARGUMENTS, RESPONSE }

    /** A reply's shape, as data. */
    public sealed interface Pattern {
        /** Fixed text; a control token whose text is exactly {@code text} may also stand for it. */
        record Lit(String text, Role role) implements Pattern {}

        /** Optional whitespace, at most {@link JsonState#MAX_BLANK} bytes (a model must not loop on newlines). */
        record Ws() implements Pattern {}

        /**
         * Free text (any bytes), after which the reply may end; at the first occurrence of {@code marker} (null: none)
         * it goes on with what follows in its sequence, so the marker can never be plain text. The first byte may not
         * be one of {@code notFirst}.
         */
        record Text(String marker, String notFirst) implements Pattern {}

        /** A JSON value valid against {@code schema}. */
        record Json(JsonSchema schema, Role role) implements Pattern {}

        record Seq(List<Pattern> parts) implements Pattern {}

        record Alt(List<Pattern> options) implements Pattern {}

        /** One or more {@code item}s, with {@code separator} between two. */
        record Repeat(Pattern item, Pattern separator) implements Pattern {}

        static Pattern seq(Pattern... parts) {
            return new Seq(List.of(parts));
        }
    }

    // ---- the program ------------------------------------------------------------------------------------------

    private sealed interface Op {}

    private record LitOp(byte[] bytes, String text, Role role) implements Op {}

    private record WsOp() implements Op {}

    private record TextOp(byte[] marker, String markerText, int[] fail, byte[] notFirst) implements Op {}

    private record JsonOp(JsonState start, Role role) implements Op {}

    private record SplitOp(int[] targets) implements Op {}

    private record JumpOp(int[] target) implements Op {}

    private record MatchOp() implements Op {}

    private static final int UNREACHABLE = Integer.MAX_VALUE / 2;
    private static final int COMPILED_LIMIT = 256;
    private static final Map<Pattern, ReplyGrammar> COMPILED = new ConcurrentHashMap<>();

    private final Op[] program;
    /** Fewest bytes from the start of each op to the end of the reply. */
    private final int[] rest;

    private ReplyGrammar(Op[] program) {
        this.program = program;
        this.rest = shortestRest(program);
    }

    /**
     * The program for {@code pattern}, the same object for equal patterns (so replies of two requests with the same
     * tools share cached token masks).
     */
    public static ReplyGrammar compile(Pattern pattern) {
        ReplyGrammar g = COMPILED.get(pattern);
        if (g != null) return g;
        List<Op> ops = new ArrayList<>();
        emit(pattern, ops);
        ops.add(new MatchOp());
        g = new ReplyGrammar(ops.toArray(new Op[0]));
        if (COMPILED.size() >= COMPILED_LIMIT) COMPILED.clear();
        ReplyGrammar raced = COMPILED.putIfAbsent(pattern, g);
        return raced != null ? raced : g;
    }

    /** Before the first byte of the reply. */
    public State start() {
        List<Thread> out = new ArrayList<>();
        enter(out, 0, 0);
        return new State(this, out.toArray(new Thread[0]), Role.SYNTAX);
    }

    private static void emit(Pattern p, List<Op> ops) {
        switch (p) {
            case Pattern.Lit l -> ops.add(new LitOp(l.text().getBytes(StandardCharsets.UTF_8), l.text(), l.role()));
            case Pattern.Ws w -> ops.add(new WsOp());
            case Pattern.Text t -> {
                byte[] marker = t.marker() == null ? null : t.marker().getBytes(StandardCharsets.UTF_8);
                ops.add(new TextOp(marker, t.marker(), marker == null ? null : failure(marker),
                        t.notFirst() == null ? new byte[0] : t.notFirst().getBytes(StandardCharsets.UTF_8)));
            }
            case Pattern.Json j -> ops.add(new JsonOp(JsonState.start(j.schema()), j.role()));
            case Pattern.Seq s -> {
                for (Pattern part : s.parts()) emit(part, ops);
            }
            case Pattern.Alt a -> {
                int[] targets = new int[a.options().size()];
                ops.add(new SplitOp(targets));
                List<int[]> exits = new ArrayList<>();
                for (int i = 0; i < targets.length; i++) {
                    targets[i] = ops.size();
                    emit(a.options().get(i), ops);
                    int[] exit = new int[1];
                    exits.add(exit);
                    ops.add(new JumpOp(exit));
                }
                for (int[] e : exits) e[0] = ops.size();
            }
            case Pattern.Repeat r -> {
                int start = ops.size();
                emit(r.item(), ops);
                int[] targets = new int[2];
                ops.add(new SplitOp(targets));
                targets[1] = ops.size();
                emit(r.separator(), ops);
                ops.add(new JumpOp(new int[]{start}));
                targets[0] = ops.size();
            }
        }
    }

    /** KMP failure function: for each prefix length, the longest proper border. */
    private static int[] failure(byte[] m) {
        int[] f = new int[m.length + 1];
        for (int i = 1, k = 0; i < m.length; i++) {
            while (k > 0 && m[i] != m[k]) k = f[k];
            if (m[i] == m[k]) k++;
            f[i + 1] = k;
        }
        return f;
    }

    private static int[] shortestRest(Op[] program) {
        int n = program.length;
        int[] rest = new int[n + 1];
        Arrays.fill(rest, UNREACHABLE);
        // Bellman-Ford over a program of a few dozen ops: repeat until nothing improves.
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int pc = n - 1; pc >= 0; pc--) {
                int r = switch (program[pc]) {
                    case LitOp l -> l.bytes().length + rest[pc + 1];
                    case WsOp w -> rest[pc + 1];
                    case TextOp t -> 0;
                    case JsonOp j -> j.start().cost() + rest[pc + 1];
                    case SplitOp s -> {
                        int m = UNREACHABLE;
                        for (int t : s.targets()) m = Math.min(m, rest[t]);
                        yield m;
                    }
                    case JumpOp j -> rest[j.target()[0]];
                    case MatchOp m -> 0;
                };
                r = Math.min(r, UNREACHABLE);
                if (r < rest[pc]) {
                    rest[pc] = r;
                    changed = true;
                }
            }
        }
        return rest;
    }

    // ---- threads ----------------------------------------------------------------------------------------------

    /**
     * One alternative: at op {@code pc}, {@code pos} bytes into it (a literal's bytes matched, whitespace written, a
     * text's partial marker match, -1 before a text's first byte), or inside a JSON value.
     */
    private record Thread(int pc, int pos, JsonState json) {}

    /** Adds the threads that start op {@code pc} (following splits and jumps, skipping what may be empty). */
    private void enter(List<Thread> out, int pc, int depth) {
        if (depth > program.length) throw new IllegalStateException("a reply pattern loops without consuming bytes");
        switch (program[pc]) {
            case SplitOp s -> {
                for (int t : s.targets()) enter(out, t, depth + 1);
            }
            case JumpOp j -> enter(out, j.target()[0], depth + 1);
            case TextOp t -> add(out, new Thread(pc, t.notFirst().length > 0 ? -1 : 0, null));
            case JsonOp j -> keep(out, pc, 0, j.start(), depth);
            default -> keep(out, pc, 0, null, depth);
        }
    }

    /** Adds a thread that stays in op {@code pc}, and what follows the op if it may end there. */
    private void keep(List<Thread> out, int pc, int pos, JsonState json, int depth) {
        switch (program[pc]) {
            case LitOp l -> {
                if (pos == l.bytes().length) enter(out, pc + 1, depth + 1);
                else add(out, new Thread(pc, pos, null));
            }
            case WsOp w -> {
                add(out, new Thread(pc, pos, null));
                enter(out, pc + 1, depth + 1);
            }
            case JsonOp j -> {
                if (!json.closed()) add(out, new Thread(pc, 0, json));
                if (json.complete()) enter(out, pc + 1, depth + 1);
            }
            default -> add(out, new Thread(pc, pos, json));
        }
    }

    private static void add(List<Thread> out, Thread t) {
        if (!out.contains(t)) out.add(t);
    }

    private static boolean whitespace(int b) {
        return b == ' ' || b == '\n' || b == '\t' || b == '\r';
    }

    /** A reply in progress: the live threads, and the role of the byte that led here. */
    public static final class State implements GrammarState {
        private final ReplyGrammar grammar;
        private final Thread[] threads;
        private final Role role;
        private int hash;
        private int cost = -1;

        /** {@link #feedOne}'s answer for a refused byte (the caller returns null). */
        private static final State REFUSED = new State(null, new Thread[0], null);

        private State(ReplyGrammar grammar, Thread[] threads, Role role) {
            this.grammar = grammar;
            this.threads = threads;
            this.role = role;
        }

        /** What the byte (or marker token) that led to this state was. */
        public Role role() {
            return role;
        }

        /**
         * Text bytes just read that may be the start of a marker: a reader should hold them back until the next
         * bytes tell (they are the marker, or text after all).
         */
        public int heldBack() {
            int held = 0;
            for (Thread t : threads) if (grammar.program[t.pc()] instanceof TextOp) held = Math.max(held, t.pos());
            return held;
        }

        @Override
        public State feed(int b) {
            Op[] program = grammar.program;
            if (threads.length == 1) {
                State fast = feedOne(threads[0], b);
                if (fast != null) return fast == REFUSED ? null : fast;
            }
            List<Thread> out = new ArrayList<>(threads.length + 2);
            Role first = null;
            for (Thread t : threads) {
                Role r = step(t, b, out);
                if (first == null) first = r;
            }
            if (out.isEmpty()) return null;
            return new State(grammar, out.toArray(new Thread[0]), first);
        }

        /**
         * The common single-thread steps without building thread lists (a trie walk feeds every state hundreds of
         * thousands of bytes): plain text, a JSON value that goes on, a literal that goes on. Null: take the general path.
         */
        private State feedOne(Thread t, int b) {
            switch (grammar.program[t.pc()]) {
                case TextOp x when t.pos() == 0 && role == Role.CONTENT && (x.marker() == null || (x.marker()[0] & 0xFF) != b) -> {
                    return this; // plain text: nothing changes
                }
                case JsonOp j -> {
                    JsonState s = t.json().feed(b);
                    if (s == null) return REFUSED;
                    if (s.complete() || s.closed()) return null;
                    if (s == t.json() && role == j.role()) return this;
                    return new State(grammar, new Thread[]{new Thread(t.pc(), 0, s)}, j.role());
                }
                case LitOp l when t.pos() + 1 < l.bytes().length -> {
                    if ((l.bytes()[t.pos()] & 0xFF) != b) return REFUSED;
                    return new State(grammar, new Thread[]{new Thread(t.pc(), t.pos() + 1, null)}, l.role());
                }
                default -> {
                    return null;
                }
            }
        }

        /** Advances one thread past byte b into {@code out}; returns the byte's role, or null if refused. */
        private Role step(Thread t, int b, List<Thread> out) {
            int pc = t.pc();
            switch (grammar.program[pc]) {
                case LitOp l -> {
                    if ((l.bytes()[t.pos()] & 0xFF) != b) return null;
                    grammar.keep(out, pc, t.pos() + 1, null, 0);
                    return l.role();
                }
                case WsOp w -> {
                    if (!whitespace(b) || t.pos() >= JsonState.MAX_BLANK) return null;
                    grammar.keep(out, pc, t.pos() + 1, null, 0);
                    return Role.SYNTAX;
                }
                case JsonOp j -> {
                    JsonState s = t.json().feed(b);
                    if (s == null) return null;
                    grammar.keep(out, pc, 0, s, 0);
                    return j.role();
                }
                case TextOp x -> {
                    if (t.pos() < 0 && contains(x.notFirst(), b)) return null;
                    if (x.marker() == null) {
                        add(out, new Thread(pc, 0, null));
                        return Role.CONTENT;
                    }
                    int k = Math.max(t.pos(), 0);
                    while (k > 0 && (x.marker()[k] & 0xFF) != b) k = x.fail()[k];
                    if ((x.marker()[k] & 0xFF) == b) k++;
                    if (k == x.marker().length) {
                        grammar.enter(out, pc + 1, 0);
                        return Role.SYNTAX;
                    }
                    add(out, new Thread(pc, k, null));
                    return Role.CONTENT;
                }
                default -> {
                    return null; // Match: nothing may follow
                }
            }
        }

        private static boolean contains(byte[] set, int b) {
            for (byte x : set) if ((x & 0xFF) == b) return true;
            return false;
        }

        @Override
        public State feedSpecial(String text) {
            List<Thread> out = new ArrayList<>(2);
            for (Thread t : threads) {
                switch (grammar.program[t.pc()]) {
                    case LitOp l when t.pos() == 0 && l.text().equals(text) -> grammar.keep(out, t.pc(), l.bytes().length, null, 0);
                    case TextOp x when text.equals(x.markerText()) -> grammar.enter(out, t.pc() + 1, 0);
                    default -> { }
                }
            }
            return out.isEmpty() ? null : new State(grammar, out.toArray(new Thread[0]), Role.SYNTAX);
        }

        @Override
        public int cost() {
            if (cost < 0) {
                int best = UNREACHABLE;
                for (Thread t : threads) best = Math.min(best, cost(t));
                cost = best;
            }
            return cost;
        }

        private int cost(Thread t) {
            int after = grammar.rest[t.pc() + 1];
            return switch (grammar.program[t.pc()]) {
                case LitOp l -> l.bytes().length - t.pos() + after;
                case WsOp w -> after;
                case JsonOp j -> t.json().cost() + after;
                default -> 0; // text (the reply may end as text) and the end
            };
        }

        @Override
        public boolean closed() {
            for (Thread t : threads) if (!(grammar.program[t.pc()] instanceof MatchOp)) return false;
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && s.grammar == grammar && s.hashCode() == hashCode() && Arrays.equals(s.threads, threads);
        }

        @Override
        public int hashCode() {
            int h = hash;
            if (h == 0) hash = h = (System.identityHashCode(grammar) * 31 + Arrays.hashCode(threads)) | 1;
            return h;
        }

        @Override
        public String toString() {
            return "ReplyGrammar.State" + Arrays.toString(threads);
        }
    }
}
