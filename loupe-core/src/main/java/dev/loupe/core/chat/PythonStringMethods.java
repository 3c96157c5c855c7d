package dev.loupe.core.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's {@code str} methods for template strings. Chat templates are written against Hugging Face's Python
 * Jinja, so they call {@code content.strip()}, {@code role.title()}, {@code text.startswith('x')} or
 * {@code s.split('\n')}; Jinjava would otherwise resolve these to Java's {@code String} methods (which differ,
 * e.g. {@code split} takes a regex) or to nothing. This resolver answers only for a {@code String} receiver and a
 * known Python method name, and leaves every other call to Jinjava.
 */
final class PythonStringMethods extends ELResolver {
    private static final Set<String> NAMES = Set.of(
            "strip", "lstrip", "rstrip", "startswith", "endswith", "split", "rsplit", "title", "upper", "lower",
            "capitalize", "replace", "find", "count", "join", "isspace", "isdigit", "isalpha", "splitlines");

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || !(method instanceof String name) || !NAMES.contains(name)) return null;
        Object[] args = params == null ? new Object[0] : params;
        Object result = call(s, name, args);
        context.setPropertyResolved(true);
        return result;
    }

    private static Object call(String s, String name, Object[] a) {
        return switch (name) {
            case "strip" -> rstrip(lstrip(s, chars(a)), chars(a));
            case "lstrip" -> lstrip(s, chars(a));
            case "rstrip" -> rstrip(s, chars(a));
            case "startswith" -> anyPrefix(a[0], p -> s.startsWith(p));
            case "endswith" -> anyPrefix(a[0], p -> s.endsWith(p));
            case "split" -> split(s, a.length > 0 ? str(a[0]) : null, a.length > 1 ? ((Number) a[1]).intValue() : -1);
            case "rsplit" -> rsplit(s, a.length > 0 ? str(a[0]) : null, a.length > 1 ? ((Number) a[1]).intValue() : -1);
            case "splitlines" -> splitlines(s);
            case "title" -> title(s);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "replace" -> replace(s, str(a[0]), str(a[1]), a.length > 2 ? ((Number) a[2]).intValue() : -1);
            case "find" -> (long) s.indexOf(str(a[0]));
            case "count" -> count(s, str(a[0]));
            case "join" -> join(s, a[0]);
            case "isspace" -> !s.isEmpty() && s.isBlank();
            case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
            default -> throw new IllegalStateException(name);
        };
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    /** Python's strip family takes an optional set of characters; none (or None) means whitespace. */
    private static String chars(Object[] a) {
        return a.length > 0 && a[0] != null ? a[0].toString() : null;
    }

    private static boolean strippable(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
    }

    private static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strippable(s.charAt(i), chars)) i++;
        return s.substring(i);
    }

    private static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0 && strippable(s.charAt(j - 1), chars)) j--;
        return s.substring(0, j);
    }

    /** {@code startswith} accepts a string or a tuple (a list here) of candidates. */
    private static boolean anyPrefix(Object arg, java.util.function.Predicate<String> test) {
        if (arg instanceof Collection<?> c) {
            for (Object o : c) if (test.test(String.valueOf(o))) return true;
            return false;
        }
        return test.test(String.valueOf(arg));
    }

    /** Python split: no separator splits on runs of whitespace and drops empty pieces; a separator keeps them. */
    private static List<String> split(String s, String sep, int maxSplit) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            String rest = s.strip();
            while (!rest.isEmpty()) {
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(rest);
                    return out;
                }
                int i = 0;
                while (i < rest.length() && !Character.isWhitespace(rest.charAt(i))) i++;
                out.add(rest.substring(0, i));
                rest = lstrip(rest.substring(i), null);
            }
            return out;
        }
        if (sep.isEmpty()) throw new IllegalArgumentException("empty separator");
        int from = 0;
        while (maxSplit < 0 || out.size() < maxSplit) {
            int at = s.indexOf(sep, from);
            if (at < 0) break;
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static List<String> rsplit(String s, String sep, int maxSplit) {
        if (sep == null || maxSplit < 0) return split(s, sep, maxSplit);
        List<String> out = new ArrayList<>();
        int end = s.length();
        while (out.size() < maxSplit) {
            int at = s.lastIndexOf(sep, end - sep.length());
            if (at < 0) break;
            out.addFirst(s.substring(at + sep.length(), end));
            end = at;
        }
        out.addFirst(s.substring(0, end));
        return out;
    }

    /** Python splitlines(): a final line break does not start another (empty) line. */
    private static List<String> splitlines(String s) {
        List<String> out = new ArrayList<>(List.of(s.split("\\r\\n|\\r|\\n", -1)));
        if (out.getLast().isEmpty()) out.removeLast();
        return out;
    }

    /** Python title(): a letter after a non-letter is upper-cased, every other letter lower-cased. */
    private static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean prevLetter = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(prevLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
            prevLetter = Character.isLetter(c);
        }
        return b.toString();
    }

    private static String replace(String s, String from, String to, int count) {
        if (count < 0) return s.replace(from, to);
        StringBuilder b = new StringBuilder();
        int pos = 0;
        for (int n = 0; n < count; n++) {
            int at = s.indexOf(from, pos);
            if (at < 0) break;
            b.append(s, pos, at).append(to);
            pos = at + from.length();
        }
        return b.append(s.substring(pos)).toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) return s.length() + 1L;
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) n++;
        return n;
    }

    private static String join(String sep, Object items) {
        StringBuilder b = new StringBuilder();
        Iterator<?> it = items instanceof Iterable<?> i ? i.iterator() : List.of(items).iterator();
        while (it.hasNext()) {
            b.append(it.next());
            if (it.hasNext()) b.append(sep);
        }
        return b.toString();
    }

    // A method resolver only: property access is left to Jinjava's own resolvers.
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
