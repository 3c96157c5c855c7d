package dev.loupe.eval.exec;

import dev.loupe.core.LoupeException;
import dev.loupe.sandbox.Language;
import dev.loupe.sandbox.Limits;
import dev.loupe.sandbox.Result;
import dev.loupe.sandbox.Sandbox;

import java.time.Duration;

/** {@link CodeRunner} over loupe-sandbox: each program in its own confined process (no network, writes only in its dir). */
public final class SandboxRunner implements CodeRunner {
    /** Enough of stderr to show the failing assert or exception, not a whole traceback of a runaway program. */
    private static final int DETAIL_CHARS = 400;
    private final Sandbox sandbox;

    public SandboxRunner(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    /** The machine's sandbox; a one-line {@link LoupeException} when it cannot confine a run. */
    public static SandboxRunner create() {
        return new SandboxRunner(Sandbox.create());
    }

    @Override
    public Execution run(String language, String program, Duration timeout) {
        Language lang = switch (language) {
            case "python" -> Language.PYTHON;
            case "java" -> Language.JAVA;
            default -> throw new LoupeException("the sandbox runs python or java, not '" + language + "'");
        };
        Result r = sandbox.run(lang, program, "", Limits.defaults().withWallTime(timeout));
        if (r.ok()) return new Execution(true, "");
        if (r.timedOut()) return new Execution(false, "timed out after " + timeout.toMillis() / 1000.0 + " s");
        String err = r.stderr().strip();
        String tail = err.length() > DETAIL_CHARS ? "…" + err.substring(err.length() - DETAIL_CHARS) : err;
        return new Execution(false, "exit " + r.exitCode() + (tail.isEmpty() ? "" : ": " + tail));
    }
}
