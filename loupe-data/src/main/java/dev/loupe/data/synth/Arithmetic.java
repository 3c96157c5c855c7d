package dev.loupe.data.synth;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The executable check for arithmetic: every equation {@code EXPR = NUMBER} in a text is evaluated and compared
 * with the number it claims. EXPR is numbers, {@code + - * / × ÷ x}, parentheses and spaces, with at least one
 * operator; evaluation is exact decimal arithmetic (division to 34 digits). A whole-number claim must be exact
 * ("10 / 3 = 3" fails); a claim with decimals must equal the value rounded or cut to its own decimal places
 * ("10 / 3 = 3.33" and "= 3.3" pass, "= 3.4" does not). Numbers may carry thousands separators ("1,200").
 */
public final class Arithmetic {
    private static final String NUM = "\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?";
    private static final Pattern EQUATION = Pattern.compile(
            "((?:[(\\s]*-?(?:" + NUM + ")[)\\s]*[-+*/×÷x][\\s(]*)+-?(?:" + NUM + ")[)\\s]*)=\\s*(-?(?:" + NUM + "))(?![\\d.]*\\d)");

    private Arithmetic() {}

    /** One equation found in a text and whether its claim is right. */
    public record Equation(String expression, String claimed, BigDecimal value, boolean correct) {}

    /** Every equation in {@code text}, in order; an expression that does not parse is skipped. */
    public static List<Equation> equations(String text) {
        List<Equation> out = new ArrayList<>();
        Matcher m = EQUATION.matcher(text);
        while (m.find()) {
            String expr = m.group(1).strip(), claim = m.group(2);
            BigDecimal v = evaluate(expr);
            if (v == null) continue;
            BigDecimal c = number(claim);
            int scale = c.scale();
            boolean ok = scale <= 0 ? v.compareTo(c) == 0
                    : v.setScale(scale, java.math.RoundingMode.HALF_UP).compareTo(c) == 0
                    || v.setScale(scale, java.math.RoundingMode.DOWN).compareTo(c) == 0;
            out.add(new Equation(expr, claim, v, ok));
        }
        return out;
    }

    /** The value of an expression, or null if it does not parse or divides by zero. */
    public static BigDecimal evaluate(String expr) {
        Parser p = new Parser(expr.replace('×', '*').replace('÷', '/').replace('x', '*'));
        try {
            BigDecimal v = p.sum();
            p.skipSpaces();
            return p.pos == p.s.length() ? v : null;
        } catch (ArithmeticException | NumberFormatException | IndexOutOfBoundsException e) {
            return null;
        }
    }

    private static BigDecimal number(String s) {
        return new BigDecimal(s.replace(",", ""));
    }

    /** Recursive descent: sum = product (('+'|'-') product)*; product = factor (('*'|'/') factor)*. */
    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) {
            this.s = s;
        }

        void skipSpaces() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        char peek() {
            skipSpaces();
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        BigDecimal sum() {
            BigDecimal v = product();
            for (char c = peek(); c == '+' || c == '-'; c = peek()) {
                pos++;
                v = c == '+' ? v.add(product()) : v.subtract(product());
            }
            return v;
        }

        BigDecimal product() {
            BigDecimal v = factor();
            for (char c = peek(); c == '*' || c == '/'; c = peek()) {
                pos++;
                v = c == '*' ? v.multiply(factor()) : v.divide(factor(), MathContext.DECIMAL128);
            }
            return v;
        }

        BigDecimal factor() {
            char c = peek();
            if (c == '-') {
                pos++;
                return factor().negate();
            }
            if (c == '(') {
                pos++;
                BigDecimal v = sum();
                if (peek() != ')') throw new NumberFormatException("missing )");
                pos++;
                return v;
            }
            int start = pos;
            while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.' || s.charAt(pos) == ',')) pos++;
            return number(s.substring(start, pos));
        }
    }
}
