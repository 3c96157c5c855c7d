package dev.loupe.serve.http;

import dev.loupe.core.chat.ChatTemplate;
import dev.loupe.core.sample.constrain.JsonSchema;
import dev.loupe.core.sample.constrain.ReplyGrammar.Pattern;
import dev.loupe.core.sample.constrain.ReplyGrammar.Role;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * How a model writes tool calls, chosen from its chat template's text as llama.cpp's chat parser chooses
 * (common/chat.cpp): the format the model was trained on, so it is asked in its own words and answers in them. Each
 * format is a {@link Pattern} for the whole reply: free text until the format's marker (unless a call is required),
 * then calls whose arguments are JSON constrained by the function's parameters.
 */
enum ToolFormat {
    /** Hermes 2 Pro, Qwen 2.5/3: {@code <tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>}, possibly several. */
    HERMES(true),
    /** Llama 3.1/3.2/3.3: the reply is the call, {@code {"name": ..., "parameters": {...}}}; one call per turn. */
    LLAMA3(false),
    /** Mistral Nemo and later: {@code [TOOL_CALLS][{"name": ..., "arguments": {...}}, ...]}. */
    MISTRAL(true),
    /**
     * Templates without a native format: a JSON object, {@code {"tool_call": ...}} (or {@code {"tool_calls": [...]}}
     * for parallel calls) or {@code {"response": "text"}} (llama.cpp's generic format).
     */
    GENERIC(true);

    static final String HERMES_OPEN = "<tool_call>";
    static final String HERMES_CLOSE = "</tool_call>";
    static final String PYTHON_TAG = "<|python_tag|>";
    static final String MISTRAL_OPEN = "[TOOL_CALLS]";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /** Whether a reply may hold several calls (Llama 3's template refuses more than one). */
    final boolean parallelCapable;

    ToolFormat(boolean parallelCapable) {
        this.parallelCapable = parallelCapable;
    }

    /** llama.cpp's detection rules, in its order. */
    static ToolFormat detect(ChatTemplate template) {
        String src = template.source();
        if (src.contains(HERMES_OPEN)) return HERMES;
        if (src.contains("<|start_header_id|>ipython<|end_header_id|>")) return LLAMA3;
        if (src.contains(MISTRAL_OPEN)) return MISTRAL;
        return GENERIC;
    }

    /**
     * The whole reply's shape.
     *
     * @param calls     the functions that may be called (each name with its own arguments schema)
     * @param required  a call must be made ({@code tool_choice} "required" or a named function)
     * @param parallel  more than one call may be made (ignored where the format cannot)
     * @param pythonTag Llama 3.1's templates know {@code <|python_tag|>}: a call may also follow it
     */
    Pattern reply(List<Tools.Tool> calls, boolean required, boolean parallel, boolean pythonTag) {
        boolean many = parallel && parallelCapable;
        return switch (this) {
            case HERMES -> {
                Pattern one = seq(call(calls, "arguments"), ws(), lit(HERMES_CLOSE));
                Pattern body = seq(ws(), many ? new Pattern.Repeat(one, seq(ws(), lit(HERMES_OPEN), ws())) : one);
                yield seq(required ? seq(ws(), lit(HERMES_OPEN)) : text(HERMES_OPEN, null), body);
            }
            case MISTRAL -> {
                Pattern one = call(calls, "arguments");
                Pattern body = seq(ws(), lit("["), ws(), many ? new Pattern.Repeat(one, seq(ws(), lit(","), ws())) : one, ws(), lit("]"));
                yield seq(required ? seq(ws(), lit(MISTRAL_OPEN)) : text(MISTRAL_OPEN, null), body);
            }
            case LLAMA3 -> {
                Pattern one = call(calls, "parameters");
                Pattern tagged = required ? seq(lit(PYTHON_TAG), ws(), one) : seq(text(PYTHON_TAG, " \t\r\n{"), ws(), one);
                Pattern free = required ? null : text(null, " \t\r\n{");
                List<Pattern> options = new ArrayList<>(List.of(one));
                if (pythonTag) options.add(tagged);
                else if (free != null) options.add(free);
                yield seq(ws(), options.size() == 1 ? one : new Pattern.Alt(options));
            }
            case GENERIC -> {
                Pattern one = call(calls, "arguments");
                Pattern callReply = many
                        ? seq(lit("{\"tool_calls\": ["), new Pattern.Repeat(one, lit(", ")), lit("]}"))
                        : seq(lit("{\"tool_call\": "), one, lit("}"));
                yield required ? callReply : new Pattern.Alt(List.of(callReply,
                        seq(lit("{\"response\": "), new Pattern.Json(new JsonSchema.StringSchema(), Role.RESPONSE), lit("}"))));
            }
        };
    }

    /** {@code {"name": "f", "<argumentsKey>": {...}}}, the arguments against the named function's schema. */
    private static Pattern call(List<Tools.Tool> calls, String argumentsKey) {
        List<Pattern> byName = new ArrayList<>();
        for (Tools.Tool t : calls) {
            byName.add(seq(new Pattern.Lit(Tools.quote(t.name()), Role.NAME), lit(", \"" + argumentsKey + "\": "),
                    new Pattern.Json(t.arguments(), Role.ARGUMENTS)));
        }
        return seq(lit("{\"name\": "), byName.size() == 1 ? byName.getFirst() : new Pattern.Alt(byName), lit("}"));
    }

    private static Pattern seq(Pattern... parts) {
        return new Pattern.Seq(List.of(parts));
    }

    private static Pattern lit(String text) {
        return new Pattern.Lit(text, Role.SYNTAX);
    }

    private static Pattern ws() {
        return new Pattern.Ws();
    }

    private static Pattern text(String marker, String notFirst) {
        return new Pattern.Text(marker, notFirst);
    }

    /** A fresh call id: Mistral's templates insist on 9 alphanumerics; others get OpenAI's {@code call_...}. */
    String newCallId() {
        if (this == MISTRAL) return alphanumeric(9);
        return "call_" + alphanumeric(24);
    }

    private static String alphanumeric(int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) s.append(ALPHANUMERIC.charAt(RANDOM.nextInt(ALPHANUMERIC.length())));
        return s.toString();
    }

    /**
     * An id as this format's template accepts it: Mistral's checks for exactly 9 alphanumerics, so other ids (a
     * client's own {@code call_1}) are mapped to 9 characters derived from them; the same id always maps the same way,
     * so a call and its result still match.
     */
    String templateId(String id) {
        if (this != MISTRAL || id.length() == 9 && id.chars().allMatch(c -> ALPHANUMERIC.indexOf(c) >= 0)) return id;
        long h = 1125899906842597L;
        for (int i = 0; i < id.length(); i++) h = 31 * h + id.charAt(i);
        StringBuilder s = new StringBuilder(9);
        for (int i = 0; i < 9; i++) {
            s.append(ALPHANUMERIC.charAt((int) Long.remainderUnsigned(h, ALPHANUMERIC.length())));
            h = Long.divideUnsigned(h, ALPHANUMERIC.length()) ^ (h << 7);
        }
        return s.toString();
    }
}
