package dev.loupe.think.verify;

import dev.loupe.think.strategy.Problem;
import dev.loupe.think.strategy.Sampling;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process-reward-style checker for worked arithmetic, with no knowledge of the answer: every equation
 * {@code a op b = c} in the solution must be true, its operands must come from the problem or from an earlier
 * result (a step may not invent numbers), and a final answer ({@code A<n>}, {@code #### n}) must be the last
 * result. Score: the fraction of checks that pass, so a partial solution with all-correct steps scores 1 and
 * every wrong step pulls it down. A solution with no checkable step scores 0.5 (nothing known).
 */
public final class ArithmeticCheck implements Verifier {
    private static final Pattern EQUATION = Pattern.compile("(-?\\d+)\\s*([-+*x×])\\s*(-?\\d+)\\s*=\\s*(-?\\d+)");
    private static final Pattern NUMBER = Pattern.compile("\\d+");
    private static final Pattern FINAL = Pattern.compile("(?:(?:^|;)A|####\\s*)(-?\\d+)\\s*$");

    @Override
    public String name() {
        return "arith";
    }

    @Override
    public double score(Problem problem, String solution, Sampling sampling) {
        Set<BigInteger> known = new HashSet<>();
        Matcher n = NUMBER.matcher(problem.prompt());
        while (n.find()) known.add(new BigInteger(n.group()));
        int checks = 0, passed = 0;
        BigInteger last = null;
        Matcher m = EQUATION.matcher(solution);
        while (m.find()) {
            BigInteger a = new BigInteger(m.group(1)), b = new BigInteger(m.group(3)), c = new BigInteger(m.group(4));
            BigInteger expected = switch (m.group(2)) {
                case "+" -> a.add(b);
                case "-" -> a.subtract(b);
                default -> a.multiply(b);
            };
            checks += 2;
            if (expected.equals(c)) passed++;
            if (known.contains(a.abs()) && known.contains(b.abs())) passed++;
            known.add(c.abs());
            last = c;
        }
        Matcher f = FINAL.matcher(solution.strip());
        if (f.find()) {
            checks++;
            if (last != null && last.equals(new BigInteger(f.group(1)))) passed++;
        }
        return checks == 0 ? 0.5 : (double) passed / checks;
    }
}
