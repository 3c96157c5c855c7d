package dev.loupe.think.answer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares answers the way a grader would: numbers by value, exactly ({@code 0.5 = 1/2 = \frac{1}{2} = 1,000/2000}),
 * anything else as trimmed, case-insensitive text. Votes group answers by {@link #key}, so "3/6" and "0.5" count
 * as one answer.
 */
public final class Answers {
    private static final Pattern FRAC = Pattern.compile("^(-?)\\\\d?frac\\{(-?\\d+)}\\{(-?\\d+)}$");
    private static final Pattern RATIO = Pattern.compile("^(-?\\d+)/(-?\\d+)$");
    private static final Pattern DECIMAL = Pattern.compile("^-?(\\d+\\.?\\d*|\\.\\d+)$");

    private Answers() {}

    /** Whether two answers mean the same; null matches nothing. */
    public static boolean equivalent(String a, String b) {
        if (a == null || b == null) return false;
        return key(a).equals(key(b));
    }

    /**
     * A canonical form: a number as a reduced fraction "p/q" (or "p"), else the trimmed lower-case text.
     */
    public static String key(String answer) {
        Rational r = number(answer);
        return r != null ? r.toString() : answer.strip().toLowerCase(java.util.Locale.ROOT);
    }

    /** The answer as an exact number, or null when it is not one. Strips $, %, commas and a trailing period. */
    public static Rational number(String answer) {
        String s = answer.strip().replace("$", "").replace(",", "").replace("\\!", "").replace(" ", "");
        if (s.endsWith(".")) s = s.substring(0, s.length() - 1);
        if (s.endsWith("%")) s = s.substring(0, s.length() - 1);
        if (s.startsWith("+")) s = s.substring(1);
        Matcher m = FRAC.matcher(s);
        if (m.matches()) {
            Rational r = Rational.of(new BigInteger(m.group(2)), new BigInteger(m.group(3)));
            return r == null || m.group(1).isEmpty() ? r : r.negate();
        }
        m = RATIO.matcher(s);
        if (m.matches()) return Rational.of(new BigInteger(m.group(1)), new BigInteger(m.group(2)));
        if (DECIMAL.matcher(s).matches()) {
            BigDecimal d = new BigDecimal(s);
            BigInteger scale = BigInteger.TEN.pow(Math.max(0, d.scale()));
            return Rational.of(d.movePointRight(Math.max(0, d.scale())).toBigIntegerExact(), scale);
        }
        return null;
    }

    /** An exact fraction in lowest terms with a positive denominator. */
    public record Rational(BigInteger num, BigInteger den) {
        static Rational of(BigInteger num, BigInteger den) {
            if (den.signum() == 0) return null;
            if (den.signum() < 0) {
                num = num.negate();
                den = den.negate();
            }
            BigInteger g = num.gcd(den);
            if (g.signum() != 0 && !g.equals(BigInteger.ONE)) {
                num = num.divide(g);
                den = den.divide(g);
            }
            return new Rational(num, den);
        }

        Rational negate() {
            return new Rational(num.negate(), den);
        }

        @Override
        public String toString() {
            return den.equals(BigInteger.ONE) ? num.toString() : num + "/" + den;
        }
    }
}
