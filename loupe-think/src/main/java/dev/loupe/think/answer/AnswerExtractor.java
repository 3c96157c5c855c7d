package dev.loupe.think.answer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Pulls the final answer out of a solution's text; null when there is none. */
public sealed interface AnswerExtractor {

    String extract(String text);

    /**
     * Math answers, first match wins: {@code \boxed{...}} (last one, braces balanced), GSM8K's {@code #### x},
     * "the answer is x", a final {@code A<number>} line, else the last number in the text.
     */
    record Math() implements AnswerExtractor {
        private static final Pattern HASHES = Pattern.compile("####\\s*([^\\n]+)");
        private static final Pattern ANSWER_IS = Pattern.compile("(?i)answer is[:\\s]*\\$?\\s*(-?[\\d,]*\\.?\\d+(?:/\\d+)?)");
        private static final Pattern A_MARK = Pattern.compile("(?m)(?:^|;)A(-?\\d+(?:\\.\\d+)?(?:/\\d+)?)\\s*$");
        private static final Pattern NUMBER = Pattern.compile("-?\\d[\\d,]*(?:\\.\\d+)?(?:/\\d+)?|-?\\.\\d+");

        @Override
        public String extract(String text) {
            String boxed = lastBoxed(text);
            if (boxed != null) return boxed.strip();
            for (Pattern p : new Pattern[]{HASHES, ANSWER_IS, A_MARK}) {
                String last = null;
                Matcher m = p.matcher(text);
                while (m.find()) last = m.group(1);
                if (last != null) return last.strip();
            }
            String last = null;
            Matcher m = NUMBER.matcher(text);
            while (m.find()) last = m.group();
            return last;
        }

        /** The contents of the last \boxed{...}, nested braces included. */
        static String lastBoxed(String text) {
            int at = text.lastIndexOf("\\boxed{");
            if (at < 0) return null;
            int depth = 0;
            int start = at + "\\boxed{".length();
            for (int i = start; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '{') depth++;
                else if (c == '}') {
                    if (depth == 0) return text.substring(start, i);
                    depth--;
                }
            }
            return null;
        }
    }

    /** Group {@code group} of the last match of {@code pattern}. */
    record Regex(Pattern pattern, int group) implements AnswerExtractor {
        public Regex(String pattern) {
            this(Pattern.compile(pattern), Pattern.compile(pattern).matcher("").groupCount() > 0 ? 1 : 0);
        }

        @Override
        public String extract(String text) {
            String last = null;
            Matcher m = pattern.matcher(text);
            while (m.find()) last = m.group(group);
            return last == null ? null : last.strip();
        }
    }

    /** The whole text, trimmed (exact-match tasks). */
    record Whole() implements AnswerExtractor {
        @Override
        public String extract(String text) {
            String t = text.strip();
            return t.isEmpty() ? null : t;
        }
    }
}
