package dev.loupe.sandbox;

import java.time.Duration;

/**
 * How a run ended.
 *
 * @param exitCode the process's exit code; 128+N when signal N ended it (the shell convention)
 * @param timedOut the wall-clock limit ran out and the sandbox killed the run
 * @param killed   a signal ended the run (the sandbox's kill on time-out, or the kernel's on a CPU or memory limit)
 * @param truncated stdout or stderr went past {@link Limits#maxOutputBytes()} and was cut
 */
public record Result(int exitCode, String stdout, String stderr, boolean timedOut, boolean killed, boolean truncated,
                     Duration elapsed) {

    /** Exited on its own with code 0. */
    public boolean ok() {
        return exitCode == 0 && !timedOut && !killed;
    }
}
