package dev.loupe.think.strategy;

import dev.loupe.sandbox.Result;
import dev.loupe.think.verify.UnitTests;

import java.util.List;

/**
 * Self-debugging with execution feedback (Chen et al. 2023): generate a program, run it against the tests in
 * the sandbox, and on failure show the model its program and the error and ask again, up to {@code maxAttempts}.
 * The feedback template's {@code {prompt}}, {@code {solution}} and {@code {error}} are filled in; the default
 * suits completion-style code models (comments in the program's language, then the prompt again).
 */
public record SelfDebug(int maxAttempts, UnitTests tests, String feedbackTemplate) implements Strategy {
    public static final String PYTHON_FEEDBACK = "{prompt}{solution}\n\n# The code above fails its tests:\n{error}\n# A corrected version:\n{prompt}";
    public static final String JAVA_FEEDBACK = "{prompt}{solution}\n\n// The code above fails its tests:\n{error}\n// A corrected version:\n{prompt}";

    public SelfDebug {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
    }

    @Override
    public String name() {
        return "self-debug@" + maxAttempts;
    }

    @Override
    public Scored solve(Problem problem, ThinkContext ctx) {
        String prompt = problem.prompt();
        Scored last = null;
        for (int attempt = 0; attempt < maxAttempts; attempt++) {
            List<String> texts = ctx.sampling().solutions(prompt, 1);
            if (texts.isEmpty()) break;
            String solution = texts.getFirst();
            Result r = tests.run(problem, solution);
            String error = errorText(r);
            ctx.trace().add("attempt", "i", attempt, "solution", solution, "exit", r.exitCode(), "timed_out", r.timedOut(),
                    "passed", r.ok(), "error", error);
            last = new Scored(solution, r.ok() ? "pass" : "fail", r.ok() ? 1 : 0);
            if (r.ok()) break;
            String comment = problem.language() == dev.loupe.sandbox.Language.JAVA ? "// " : "# ";
            prompt = feedbackTemplate.replace("{prompt}", problem.prompt()).replace("{solution}", solution)
                    .replace("{error}", comment + error.replace("\n", "\n" + comment));
        }
        if (last != null) ctx.trace().add("choose", "rule", "self-debug", "answer", last.answer());
        return last;
    }

    /** The last lines of stderr (where the assertion or exception is), or the time-out. */
    static String errorText(Result r) {
        if (r.timedOut()) return "timed out after " + r.elapsed().toSeconds() + " s";
        List<String> lines = r.stderr().strip().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 4), lines.size()));
    }
}
