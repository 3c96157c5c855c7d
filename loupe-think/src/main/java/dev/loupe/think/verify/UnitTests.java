package dev.loupe.think.verify;

import dev.loupe.sandbox.Limits;
import dev.loupe.sandbox.Result;
import dev.loupe.sandbox.Sandbox;
import dev.loupe.think.strategy.Problem;
import dev.loupe.think.strategy.Sampling;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a code solution against the problem's tests in the {@link Sandbox}: 1 when the program with the tests
 * appended exits 0, else 0. {@link #run} keeps the failure text, which self-debugging feeds back to the model.
 */
public final class UnitTests implements Verifier {
    private static final Pattern FENCE = Pattern.compile("```[a-zA-Z]*\\n(.*?)```", Pattern.DOTALL);

    private final Sandbox sandbox;
    private final Limits limits;

    public UnitTests(Sandbox sandbox, Limits limits) {
        this.sandbox = sandbox;
        this.limits = limits;
    }

    @Override
    public String name() {
        return "tests";
    }

    @Override
    public double score(Problem problem, String solution, Sampling sampling) {
        return run(problem, solution).ok() ? 1 : 0;
    }

    /** The sandbox's result for the solution's program followed by the tests. */
    public Result run(Problem problem, String solution) {
        String program = program(problem, solution) + "\n" + problem.tests() + "\n";
        return sandbox.run(problem.language(), program, "", limits);
    }

    /**
     * The program a solution stands for: the last fenced code block when there is one (a chat-style answer),
     * else the prompt followed by the solution (a completion of the prompt's function header, HumanEval style).
     */
    public static String program(Problem problem, String solution) {
        String last = null;
        Matcher m = FENCE.matcher(solution);
        while (m.find()) last = m.group(1);
        return last != null ? last : problem.prompt() + solution;
    }
}
