package dev.loupe.core.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;

import java.util.Map;

/**
 * The {@code tojson} filter as Hugging Face's template runtime has it: Python's {@code json.dumps(x,
 * ensure_ascii=False, indent=indent)}, so {@code ", "} and {@code ": "} between items (or newlines and {@code indent}
 * spaces). Jinjava's own filter writes compact JSON, and a model trained on its template's rendering sees the
 * difference: Qwen's and Llama's templates write tool definitions and past calls' arguments with it.
 */
public final class PythonToJson implements Filter {
    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, args, Map.of());
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
        StringBuilder out = new StringBuilder();
        write(var, indent == null ? -1 : ((Number) (indent instanceof String s ? Integer.valueOf(s) : indent)).intValue(), 0, out);
        return out.toString();
    }

    /** Writes {@code v}; {@code indent} -1 for one line. */
    static void write(Object v, int indent, int depth, StringBuilder out) {
        switch (v) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case Double d when d == Math.rint(d) && !Double.isInfinite(d) -> out.append(d.longValue()).append(".0");
            case Float f when f == Math.rint(f) && !Float.isInfinite(f) -> out.append(f.longValue()).append(".0");
            case Number n -> out.append(n);
            case Map<?, ?> m -> {
                out.append('{');
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    separate(i++, indent, depth + 1, out);
                    quote(String.valueOf(e.getKey()), out);
                    out.append(": ");
                    write(e.getValue(), indent, depth + 1, out);
                }
                close(m.isEmpty(), indent, depth, out);
                out.append('}');
            }
            case Iterable<?> list -> {
                out.append('[');
                int i = 0;
                for (Object item : list) {
                    separate(i++, indent, depth + 1, out);
                    write(item, indent, depth + 1, out);
                }
                close(i == 0, indent, depth, out);
                out.append(']');
            }
            default -> quote(String.valueOf(v), out);
        }
    }

    private static void separate(int i, int indent, int depth, StringBuilder out) {
        if (i > 0) out.append(indent < 0 ? ", " : ",");
        if (indent >= 0) out.append('\n').append(" ".repeat(indent * depth));
    }

    private static void close(boolean empty, int indent, int depth, StringBuilder out) {
        if (!empty && indent >= 0) out.append('\n').append(" ".repeat(indent * depth));
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }
}
