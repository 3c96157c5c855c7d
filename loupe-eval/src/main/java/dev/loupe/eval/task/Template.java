package dev.loupe.eval.task;

import dev.loupe.core.LoupeException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code {{field}}} substitution; a field is a dotted path into the row ({@code choices.text.0}). Deliberately not
 * Jinja: task prompts need only substitution, and a missing field should be an error naming file and line, not an
 * empty string.
 */
public final class Template {
    private static final Pattern FIELD = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.\\-]+)\\s*}}");
    private final String text;
    private final List<String> literals = new ArrayList<>();
    private final List<String> paths = new ArrayList<>();

    private Template(String text) {
        this.text = text;
        Matcher m = FIELD.matcher(text);
        int last = 0;
        while (m.find()) {
            literals.add(text.substring(last, m.start()));
            paths.add(m.group(1));
            last = m.end();
        }
        literals.add(text.substring(last));
    }

    public static Template of(String text) {
        return new Template(text);
    }

    public String source() {
        return text;
    }

    public String render(Doc doc) {
        StringBuilder sb = new StringBuilder(literals.getFirst());
        for (int i = 0; i < paths.size(); i++) {
            Object v = resolve(doc, paths.get(i));
            sb.append(v);
            sb.append(literals.get(i + 1));
        }
        return sb.toString();
    }

    /** The value at a dotted path; list elements by index. */
    public static Object resolve(Doc doc, String path) {
        Object cur = doc.fields();
        for (String part : path.split("\\.")) {
            if (cur instanceof Map<?, ?> map && map.containsKey(part)) {
                cur = map.get(part);
            } else if (cur instanceof List<?> list && part.matches("\\d+") && Integer.parseInt(part) < list.size()) {
                cur = list.get(Integer.parseInt(part));
            } else {
                throw new LoupeException(doc.where() + ": no field '" + path + "' in the row");
            }
            if (cur == null) throw new LoupeException(doc.where() + ": field '" + path + "' is null");
        }
        return cur;
    }
}
