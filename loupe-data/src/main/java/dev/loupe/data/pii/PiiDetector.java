package dev.loupe.data.pii;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.EnumMap;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds personal data and secrets and replaces them with typed placeholders. Each kind is a pattern that finds
 * candidates plus a check that rejects look-alikes (Luhn for cards, mod-97 for IBANs, digit counts and date/ISBN
 * shapes for phones, address syntax for IPv6). Kinds run in a fixed order, most specific first, so a card number
 * is never half-eaten by the phone rule.
 */
public final class PiiDetector {
    /** {@code mayMatch} is a cheap test on the whole text that skips the regex when it cannot match (regexes cost ~50 ns a character). */
    private record Rule(PiiKind kind, Predicate<String> mayMatch, Pattern pattern, int group, BiPredicate<Matcher, String> valid) {}

    private static Predicate<String> contains(String... any) {
        return t -> {
            for (String a : any) if (t.contains(a)) return true;
            return false;
        };
    }

    private static Predicate<String> digits(int atLeast) {
        return t -> {
            int n = 0;
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                if (c >= '0' && c <= '9' && ++n >= atLeast) return true;
            }
            return false;
        };
    }

    private static final Pattern DATE = Pattern.compile("\\d{4}[-./]\\d{1,2}[-./]\\d{1,2}|\\d{1,2}[-./]\\d{1,2}[-./]\\d{2,4}");

    private static final List<Rule> RULES = List.of(
            new Rule(PiiKind.SECRET, contains("AKIA", "ASIA"), Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"), 0, (m, t) -> true),
            new Rule(PiiKind.SECRET, contains("p_", "o_", "u_", "s_", "r_"), Pattern.compile("\\bgh[pousr]_[A-Za-z0-9]{36}\\b"), 0, (m, t) -> true),
            new Rule(PiiKind.SECRET, contains("sk-"), Pattern.compile("\\bsk-[A-Za-z0-9_-]{20,}\\b"), 0, PiiDetector::highEntropy),
            // key=value secrets: only the value is replaced, and only if it looks random.
            new Rule(PiiKind.SECRET, contains("=", ":"), Pattern.compile("(?i)\\b(?:[a-z0-9_]*(?:api|access|secret|private|auth)[_-]?(?:key|token)|key|token|secret|password|passwd)\\b[\"']?\\s*[:=]\\s*[\"']?([A-Za-z0-9_\\-+/=.]{16,})"),
                    1, PiiDetector::highEntropy),
            new Rule(PiiKind.EMAIL, contains("@"), Pattern.compile("(?<![\\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}\\b"), 0, (m, t) -> true),
            new Rule(PiiKind.IBAN, digits(8), Pattern.compile("\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\\b"), 0,
                    (m, t) -> Checksums.iban(m.group())),
            new Rule(PiiKind.CREDIT_CARD, digits(13), Pattern.compile("(?<![\\d-])(?:\\d[ -]?){12,18}\\d(?![\\d-])"), 0,
                    (m, t) -> Checksums.luhn(digitsOf(m.group()))),
            new Rule(PiiKind.IPV6, contains(":"), Pattern.compile("(?<![\\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\\d{1,3}\\.){3}\\d{1,3})?(?![\\w:])"),
                    0, (m, t) -> Ipv6.valid(m.group())),
            new Rule(PiiKind.IPV4, digits(4), Pattern.compile("(?<![\\w.])(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?![\\w.]|\\.\\d)"),
                    0, (m, t) -> true),
            new Rule(PiiKind.PHONE, digits(7), Pattern.compile("(?<![\\w.+/-])(?:\\+\\d{1,3}[ .-]?)?(?:\\(\\d{1,4}\\)[ .-]?)?\\d{2,4}(?:[ .-]\\d{2,4}){1,4}(?![\\w/-]|\\.\\d)"),
                    0, PiiDetector::plausiblePhone));

    /** Replaces every finding with its placeholder; {@code counts} gets one per finding. */
    public String redact(String text, Map<PiiKind, Integer> counts) {
        String t = text;
        for (Rule r : RULES) {
            if (!r.mayMatch.test(t)) continue;
            Matcher m = r.pattern.matcher(t);
            StringBuilder sb = null;
            int last = 0;
            while (m.find()) {
                if (!r.valid.test(m, t)) continue;
                if (sb == null) sb = new StringBuilder(t.length());
                sb.append(t, last, m.start(r.group)).append(r.kind.placeholder());
                last = m.end(r.group);
                counts.merge(r.kind, 1, Integer::sum);
            }
            if (sb != null) t = sb.append(t, last, t.length()).toString();
        }
        return t;
    }

    public Map<PiiKind, Integer> find(String text) {
        Map<PiiKind, Integer> m = new EnumMap<>(PiiKind.class);
        redact(text, m);
        return m;
    }

    static String digitsOf(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) if (c >= '0' && c <= '9') b.append(c);
        return b.toString();
    }

    /** Random tokens have many distinct characters and mix letters and digits; words and ids like "aaaa…" do not. */
    private static boolean highEntropy(Matcher m, String text) {
        String v = m.group(m.groupCount() >= 1 ? 1 : 0);
        if (v == null) v = m.group();
        boolean letter = v.chars().anyMatch(Character::isLetter), digit = v.chars().anyMatch(Character::isDigit);
        return letter && digit && Checksums.entropy(v) >= 3.5;
    }

    /**
     * 7 to 15 digits (E.164's maximum) in phone-like groups; not a date, not an ISBN, not a dotted version
     * number, not thousands grouping.
     */
    private static boolean plausiblePhone(Matcher m, String text) {
        String s = m.group();
        String d = digitsOf(s);
        if (d.length() < 7 || d.length() > 15) return false;
        if (DATE.matcher(s).matches()) return false;
        String before = text.substring(Math.max(0, m.start() - 12), m.start()).toLowerCase(Locale.ROOT);
        if (before.contains("isbn")) return false;
        boolean plusOrParen = s.startsWith("+") || s.contains("(");
        String[] groups = s.replaceAll("[+()]", "").trim().split("[ .-]+");
        if (!plusOrParen && s.contains(".") && !(groups.length == 3 && groups[0].length() == 3 && groups[1].length() == 3
                && groups[2].length() == 4)) return false; // 1.2.3.4-style version numbers; 555.123.4567 is a phone
        if (!plusOrParen && groups.length >= 3 && groups[0].length() <= 3
                && java.util.Arrays.stream(groups).skip(1).allMatch(g -> g.length() == 3)) return false; // 1 000 000
        if (!plusOrParen && java.util.Arrays.stream(groups).filter(g -> g.length() == 4).count() >= 3)
            return false; // 1234 5678 9012 (34): account or card chunks, not a phone layout
        return true;
    }
}
