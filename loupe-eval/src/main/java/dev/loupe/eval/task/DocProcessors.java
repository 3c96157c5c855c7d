package dev.loupe.eval.task;

import dev.loupe.core.LoupeException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Named row rewrites that a template cannot express, as lm-evaluation-harness's {@code process_docs} functions.
 * Each adds fields and keeps the row's own, so errors still name the row's file and line.
 */
public final class DocProcessors {
    private static final Pattern BRACKETED = Pattern.compile("\\[.*?\\]");

    private DocProcessors() {}

    public static List<Doc> apply(String name, List<Doc> docs, String where) {
        if (name == null) return docs;
        return switch (name) {
            case "hellaswag" -> docs.stream().map(DocProcessors::hellaswag).toList();
            default -> throw new LoupeException(where + ": unknown process_docs '" + name + "' (known: hellaswag)");
        };
    }

    /**
     * lm_eval/tasks/hellaswag/utils.py process_docs: {@code query = preprocess(activity_label + ": " + ctx_a + " " +
     * ctx_b.capitalize())}, {@code choices = [preprocess(e) for e in endings]}, {@code gold = int(label)}. Rows with
     * only {@code ctx} use it whole.
     */
    static Doc hellaswag(Doc doc) {
        Map<String, Object> f = doc.fields();
        String ctx = f.containsKey("ctx_a") && f.containsKey("ctx_b")
                ? Template.resolve(doc, "ctx_a") + " " + capitalize(String.valueOf(Template.resolve(doc, "ctx_b")))
                : String.valueOf(Template.resolve(doc, "ctx"));
        if (!(Template.resolve(doc, "endings") instanceof List<?> endings)) throw new LoupeException(doc.where() + ": field 'endings' is not a list");
        List<String> choices = new ArrayList<>();
        for (Object e : endings) choices.add(preprocess(String.valueOf(e)));
        Map<String, Object> out = new LinkedHashMap<>(f);
        out.put("query", preprocess(Template.resolve(doc, "activity_label") + ": " + ctx));
        out.put("choices", choices);
        out.put("gold", String.valueOf(Template.resolve(doc, "label")).strip());
        return new Doc(doc.index(), doc.source(), doc.line(), out);
    }

    /** utils.py preprocess: strip, " [title]" becomes ". ", other [bracketed] markup goes, double spaces become one. */
    static String preprocess(String text) {
        String t = text.strip().replace(" [title]", ". ");
        return BRACKETED.matcher(t).replaceAll("").replace("  ", " ");
    }

    /** Python's str.capitalize: first character upper case, the rest lower case. */
    static String capitalize(String s) {
        if (s.isEmpty()) return s;
        int first = s.offsetByCodePoints(0, 1);
        return s.substring(0, first).toUpperCase(Locale.ROOT) + s.substring(first).toLowerCase(Locale.ROOT);
    }
}
