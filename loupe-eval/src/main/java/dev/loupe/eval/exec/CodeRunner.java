package dev.loupe.eval.exec;

import java.time.Duration;

/**
 * Runs a program a model helped write and says whether it passed (exited normally: the tests' asserts held).
 * The seam between pass@k and whatever confines the code: generated code must never run unconfined, so the
 * harness has no runner of its own; the CLI wires loupe-sandbox's when it is in the build.
 */
public interface CodeRunner {
    /**
     * @param language as a task file names it ("python", "java")
     * @param program  the whole program: prompt, completion and tests
     * @param timeout  wall-clock limit; running out is a failure
     */
    Execution run(String language, String program, Duration timeout);

    /** @param detail why it failed (the tail of stderr, "timed out"), empty when it passed */
    record Execution(boolean passed, String detail) {}
}
