package dev.loupe.core.chat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites of template source for the few places where Jinjava parses Python Jinja differently, applied inside
 * {@code {% %}} and {{ }} only, so literal prompt text is never touched.
 *
 * <p>{@code not x is defined}: in Jinja a test binds tighter than {@code not}, so this means
 * {@code not (x is defined)}; Jinjava reads {@code (not x) is defined}, which is always true. DeepSeek's templates
 * open with {@code {% if not add_generation_prompt is defined %}}, so getting this wrong drops the generation
 * prompt. It becomes {@code x is not defined} (and {@code not x is not t} becomes {@code x is t}).
 */
final class SourceShim {
    private static final Pattern TAG = Pattern.compile("\\{%.*?%\\}|\\{\\{.*?\\}\\}", Pattern.DOTALL);
    private static final Pattern NOT_IS = Pattern.compile(
            "\\bnot\\s+([A-Za-z_][\\w.]*(?:\\[[^\\]]*\\][\\w.]*)*)\\s+is\\s+(not\\s+)?([A-Za-z_]\\w*)");

    private SourceShim() {}

    static String rewrite(String source) {
        Matcher tags = TAG.matcher(source);
        StringBuilder out = new StringBuilder(source.length());
        while (tags.find()) {
            tags.appendReplacement(out, Matcher.quoteReplacement(rewriteTag(tags.group())));
        }
        tags.appendTail(out);
        return out.toString();
    }

    private static String rewriteTag(String tag) {
        Matcher m = NOT_IS.matcher(tag);
        StringBuilder out = new StringBuilder(tag.length());
        while (m.find()) {
            String negated = m.group(2) == null ? " is not " : " is ";
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + negated + m.group(3)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
