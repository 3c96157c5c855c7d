package dev.loupe.sandbox;

import java.time.Duration;

/**
 * What one run may use. Time is wall-clock (the process tree is killed when it runs out; CPU time is capped too, as
 * a second line of defence, at what every core could use in that wall time); memory is the heap for Java ({@code -Xmx}) and the address
 * space for Python; processes counts tasks (threads too, as the kernel does), so a JVM needs a few dozen.
 *
 * @param wallTime       the run is killed after this long
 * @param memoryBytes    Java heap / Python address space
 * @param maxProcesses   RLIMIT_NPROC: tasks the run's user may have at once (a fork bomb stops here)
 * @param maxFileBytes   RLIMIT_FSIZE: largest file the run may write
 * @param maxOutputBytes stdout and stderr are each kept up to this many bytes; the rest is read and dropped
 */
public record Limits(Duration wallTime, long memoryBytes, int maxProcesses, long maxFileBytes, int maxOutputBytes) {

    public Limits {
        if (wallTime.isNegative() || wallTime.isZero()) throw new IllegalArgumentException("wallTime must be positive");
        if (memoryBytes < 16L << 20) throw new IllegalArgumentException("memoryBytes must be at least 16 MiB");
        if (maxProcesses < 1) throw new IllegalArgumentException("maxProcesses must be at least 1");
        if (maxFileBytes < 0 || maxOutputBytes < 0) throw new IllegalArgumentException("sizes must not be negative");
    }

    /** 10 s, 256 MiB, 64 tasks, 16 MiB files, 1 MiB of output: enough for a unit-tested function. */
    public static Limits defaults() {
        return new Limits(Duration.ofSeconds(10), 256L << 20, 64, 16L << 20, 1 << 20);
    }

    public Limits withWallTime(Duration d) {
        return new Limits(d, memoryBytes, maxProcesses, maxFileBytes, maxOutputBytes);
    }

    public Limits withMemoryBytes(long bytes) {
        return new Limits(wallTime, bytes, maxProcesses, maxFileBytes, maxOutputBytes);
    }
}
