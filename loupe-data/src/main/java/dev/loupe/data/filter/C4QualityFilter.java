package dev.loupe.data.filter;

import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.Outcome;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * C4's clean-up rules. Source: Raffel et al. 2020, "Exploring the Limits of Transfer Learning with a Unified
 * Text-to-Text Transformer" (JMLR 21, section 2.2), and TensorFlow Datasets' c4_utils.py, which also drops lines
 * with a word over 1000 characters and lines about cookies and terms of use; defaults as in datatrove's
 * C4QualityFilter. Line rules remove lines; document rules remove the document:
 * <ul>
 * <li>line: keep only lines ending in terminal punctuation (. ? ! " ') and not in an ellipsis;</li>
 * <li>line: keep only lines with at least 3 words; drop lines with a word over 1000 characters;</li>
 * <li>line: drop lines containing "javascript" or a policy phrase (terms of use, privacy policy, cookies);</li>
 * <li>document: drop if it contains "lorem ipsum" or a curly brace, or has fewer than 5 sentences left.</li>
 * </ul>
 * Wikipedia-style citations ([1], [edit], [citation needed]) are removed from lines first. The bad-words rule
 * is {@link C4BadWordsFilter}, since its list is the user's file.
 */
public record C4QualityFilter(String name, Integer minWordsPerLine, Integer minSentences, Integer maxWordLength,
                              Boolean filterNoTerminalPunct, Boolean filterJavascript, Boolean filterCurlyBracket,
                              Boolean filterLoremIpsum, Boolean filterPolicy, Boolean removeCitations) implements DocStep {
    private static final Pattern CITATION = Pattern.compile("\\[\\d*]|\\[edit]|\\[citation needed]");
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?]+[\"')\\]]*(?=\\s|$)");
    private static final List<String> POLICY = List.of("terms of use", "privacy policy", "cookie policy", "uses cookies",
            "use of cookies", "use cookies");

    public C4QualityFilter {
        name = name == null ? "c4_quality" : name;
        minWordsPerLine = minWordsPerLine == null ? 3 : minWordsPerLine;
        minSentences = minSentences == null ? 5 : minSentences;
        maxWordLength = maxWordLength == null ? 1000 : maxWordLength;
        filterNoTerminalPunct = filterNoTerminalPunct == null || filterNoTerminalPunct;
        filterJavascript = filterJavascript == null || filterJavascript;
        filterCurlyBracket = filterCurlyBracket == null || filterCurlyBracket;
        filterLoremIpsum = filterLoremIpsum == null || filterLoremIpsum;
        filterPolicy = filterPolicy == null || filterPolicy;
        removeCitations = removeCitations == null || removeCitations;
    }

    public static C4QualityFilter defaults() {
        return new C4QualityFilter(null, null, null, null, null, null, null, null, null, null);
    }

    @Override
    public Outcome apply(Document doc, Counters c) {
        List<String> kept = new ArrayList<>();
        int sentences = 0;
        for (String raw : doc.text().split("\\R", -1)) {
            String line = raw.strip();
            String[] words = line.isEmpty() ? new String[0] : line.split("\\s+");
            if (maxWordLength >= 0 && java.util.Arrays.stream(words).anyMatch(w -> w.length() > maxWordLength)) {
                c.inc("line-filter-too_long_word");
                continue;
            }
            if (removeCitations) line = CITATION.matcher(line).replaceAll("");
            if (filterNoTerminalPunct && (!endsWithTerminal(line) || line.endsWith("..."))) {
                c.inc("line-filter-no_terminal_punct");
                continue;
            }
            if (words.length < minWordsPerLine) {
                c.inc("line-filter-too_few_words");
                continue;
            }
            String lower = line.toLowerCase(Locale.ROOT);
            if (filterLoremIpsum && lower.contains("lorem ipsum")) return Outcome.drop("lorem_ipsum");
            if (filterJavascript && lower.contains("javascript")) {
                c.inc("line-filter-javascript");
                continue;
            }
            if (filterCurlyBracket && line.indexOf('{') >= 0) return Outcome.drop("curly_bracket");
            if (filterPolicy && POLICY.stream().anyMatch(lower::contains)) {
                c.inc("line-filter-policy");
                continue;
            }
            sentences += Math.max(1, count(SENTENCE_END.matcher(line)));
            kept.add(line);
        }
        if (sentences < minSentences) return Outcome.drop("too_few_sentences");
        return Outcome.keep(doc.withText(String.join("\n", kept).strip()));
    }

    private static boolean endsWithTerminal(String line) {
        return !line.isEmpty() && ".?!\"'".indexOf(line.charAt(line.length() - 1)) >= 0;
    }

    private static int count(Matcher m) {
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
