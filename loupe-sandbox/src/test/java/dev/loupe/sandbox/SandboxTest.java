package dev.loupe.sandbox;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each claim the sandbox makes, checked by running code that tries to break it. Python runs start in ~50 ms, so
 * most escape attempts are written in Python; the Java path is checked for the same limits once each.
 */
class SandboxTest {
    static Sandbox sandbox;

    @BeforeAll
    static void create() {
        sandbox = Sandbox.create();
    }

    @Test
    void aJavaCompileErrorIsANormalFailedRun() {
        Result r = sandbox.run(Language.JAVA, "class Main { void main() { int x = \"s\"; } }", "",
                Limits.defaults().withWallTime(Duration.ofSeconds(30)));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.killed()).isFalse();
        assertThat(r.stderr()).contains("incompatible types");
    }

    @Test
    void killsAJavaInfiniteLoop() {
        // "started" shows the loop was running (not a slow start) when the time ran out.
        Result r = sandbox.run(Language.JAVA, "class Main { public static void main(String[] a) { System.out.println(\"started\"); while (true) {} } }", "",
                Limits.defaults().withWallTime(Duration.ofSeconds(12)));
        assertThat(r.stdout()).isEqualTo("started\n");
        assertThat(r.timedOut()).isTrue();
        assertThat(r.killed()).isTrue();
        assertThat(r.ok()).isFalse();
    }

    @Test
    void javaHeapIsCappedAtTheMemoryLimit() {
        String src = """
                class Main {
                    public static void main(String[] a) {
                        byte[][] keep = new byte[64][];
                        for (int i = 0; i < keep.length; i++) keep[i] = new byte[8 << 20];   // 512 MiB in all
                        System.out.println("allocated");
                    }
                }
                """;
        Result r = sandbox.run(Language.JAVA, src, "", Limits.defaults().withMemoryBytes(128L << 20)
                .withWallTime(Duration.ofSeconds(30)));
        assertThat(r.stdout()).doesNotContain("allocated");
        assertThat(r.stderr()).contains("OutOfMemoryError");
    }

    @Test
    void javaReadsStdinReportsItsExitCodeAndCannotWriteOutsideItsDirNorConnect() throws Exception {
        // World-writable, so only the read-only mount (not file permissions) can stop the write.
        Path outside = Files.createTempDirectory("loupe-sandbox-outside");
        Files.setPosixFilePermissions(outside, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        try {
            String src = """
                    import java.nio.file.*;
                    class Main {
                        public static void main(String[] a) throws Exception {
                            var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
                            System.out.println("doubled " + Integer.parseInt(in.readLine().trim()) * 2);
                            System.err.println("bye");
                            Files.writeString(Path.of("inside.txt"), "ok");
                            System.out.println("inside " + Files.readString(Path.of("inside.txt")));
                            try { Files.writeString(Path.of("%s/escaped.txt"), "x"); System.out.println("WROTE"); }
                            catch (java.io.IOException e) { System.out.println("write refused: " + e); }
                            try (var s = new java.net.Socket()) {
                                s.connect(new java.net.InetSocketAddress("1.1.1.1", 80), 2000);
                                System.out.println("CONNECTED");
                            } catch (java.io.IOException e) { System.out.println("connect refused: " + e); }
                            System.exit(3);
                        }
                    }
                    """.formatted(outside);
            Result r = sandbox.run(Language.JAVA, src, "21\n", Limits.defaults().withWallTime(Duration.ofSeconds(30)));
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.timedOut()).isFalse();
            assertThat(r.ok()).isFalse();
            assertThat(r.stderr()).isEqualTo("bye\n");
            assertThat(r.stdout()).startsWith("doubled 42\n").contains("inside ok", "write refused", "Read-only file system", "connect refused")
                    .doesNotContain("WROTE", "CONNECTED");
            assertThat(outside.resolve("escaped.txt")).doesNotExist();
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void aJavaProgramCannotStartMoreProcessesThanTheLimit() {
        // Each child is another JVM: with 64 tasks allowed the first few start and the rest are refused, and the
        // time-out (or the parent's exit) takes every one of them down with the namespace.
        String src = """
                class Main {
                    public static void main(String[] a) throws Exception {
                        int started = 0;
                        try {
                            for (int i = 0; i < 200; i++) {
                                new ProcessBuilder("sleep", "60").start();
                                started++;
                            }
                        } catch (Exception e) { System.out.println("refused after " + started + ": " + e.getMessage()); }
                    }
                }
                """;
        Result r = sandbox.run(Language.JAVA, src, "", Limits.defaults().withWallTime(Duration.ofSeconds(30)));
        assertThat(r.stdout()).contains("refused after");
        int started = Integer.parseInt(r.stdout().replaceAll("(?s).*refused after (\\d+).*", "$1"));
        assertThat(started).isLessThan(64);
        assertThat(r.timedOut()).isFalse();   // the parent exits, and its sleeping children die with the namespace
    }

    @Test
    void killsAPythonForkBombQuickly() {
        String src = """
                import os
                while True:
                    try:
                        os.fork()
                    except OSError:
                        pass
                """;
        Result r = sandbox.run(Language.PYTHON, src, "", Limits.defaults().withWallTime(Duration.ofSeconds(2)));
        assertThat(r.timedOut()).isTrue();
        assertThat(r.killed()).isTrue();
        // Every task of the bomb died with the namespace: none is left running as the run's user.
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("main.py")
                && p.info().commandLine().orElse("").contains(" -I "))).isEmpty();
    }

    @Test
    void pythonForkIsRefusedPastTheProcessLimit() {
        String src = """
                import os, time
                n = 0
                try:
                    while True:
                        if os.fork() == 0:
                            time.sleep(30); os._exit(0)
                        n += 1
                except OSError as e:
                    print("refused after", n)
                """;
        Result r = sandbox.run(Language.PYTHON, src, "", Limits.defaults());
        assertThat(r.stdout()).startsWith("refused after");
        assertThat(Integer.parseInt(r.stdout().strip().substring("refused after ".length()))).isLessThan(64);
        assertThat(r.timedOut()).isFalse();
    }

    @Test
    void pythonCannotWriteAnywhereButItsDir() {
        String src = """
                import os, tempfile
                open("here.txt", "w").write("ok")
                for target in ["/tmp/loupe-escape.txt", "/dev/shm/loupe-escape.txt", os.path.expanduser("~") + "/../x",
                               "/etc/loupe-escape", os.path.dirname(os.getcwd()) + "/sibling.txt"]:
                    try:
                        open(target, "w").write("x")
                        print("WROTE", target)
                    except OSError as e:
                        print("refused", target, e.errno)
                print(open("here.txt").read())
                """;
        Result r = sandbox.run(Language.PYTHON, src, "", Limits.defaults());
        assertThat(r.stdout()).doesNotContain("WROTE").contains("ok");
        assertThat(r.stdout().lines().filter(l -> l.startsWith("refused"))).hasSize(5);
        assertThat(Path.of("/tmp/loupe-escape.txt")).doesNotExist();
        assertThat(Path.of("/dev/shm/loupe-escape.txt")).doesNotExist();
    }

    @Test
    void pythonHasNoNetwork() {
        String src = """
                import socket
                try:
                    socket.create_connection(("1.1.1.1", 80), timeout=2)
                    print("CONNECTED")
                except OSError as e:
                    print("refused", e.errno)
                print([name for _, name in socket.if_nameindex()])
                """;
        Result r = sandbox.run(Language.PYTHON, src, "", Limits.defaults());
        assertThat(r.stdout()).contains("refused").doesNotContain("CONNECTED");
        assertThat(r.stdout()).contains("['lo']");   // a fresh network namespace: loopback only
    }

    @Test
    void pythonMemoryAndOutputAreCapped() {
        Result mem = sandbox.run(Language.PYTHON, "x = bytearray(512 * 1024 * 1024)\nprint('allocated')", "",
                Limits.defaults().withMemoryBytes(128L << 20));
        assertThat(mem.stdout()).doesNotContain("allocated");
        assertThat(mem.stderr()).contains("MemoryError");

        Result out = sandbox.run(Language.PYTHON, "import sys\nwhile True: sys.stdout.write('y' * 4096)", "",
                new Limits(Duration.ofSeconds(2), 256L << 20, 64, 1 << 20, 10_000));
        assertThat(out.stdout()).hasSize(10_000);
        assertThat(out.truncated()).isTrue();
        assertThat(out.timedOut()).isTrue();
    }
}
