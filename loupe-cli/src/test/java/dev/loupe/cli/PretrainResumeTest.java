package dev.loupe.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #5: "resuming from a checkpoint reproduces the uninterrupted run bit for bit" and "a full disk during
 * checkpointing gives a clear error and never corrupts an existing checkpoint", on the real command in real
 * processes. Each run is a fresh child JVM, and the pieces of one interrupted run differ on purpose in what could
 * change the arithmetic if it were not pinned down: JIT tier (C1 only, whose Vector API is the plain-Java fallback,
 * against C2's intrinsics) and thread count.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PretrainResumeTest {
    @TempDir
    static Path dir;
    static Path corpus, tokenizer;
    /** The uninterrupted run's files, and the checkpoint the interrupted run left after its first step. */
    static Path straight, afterStep1;

    @BeforeAll
    static void uninterruptedRun() throws Exception {
        String text = Files.readString(CliTest.shared().resolve("data/tinyshakespeare/input.txt"));
        corpus = Files.writeString(dir.resolve("corpus.txt"), text.substring(0, 40_000));
        tokenizer = dir.resolve("tok.gguf");
        CliTest.Result r = CliTest.run("train", "tokenizer", "--corpus", corpus.toString(), "--vocab", "300", "-o", tokenizer.toString());
        assertThat(r.code()).as(r.err()).isZero();
        straight = dir.resolve("straight/m.gguf");
        Child c = Child.run(List.of(), pretrain(straight, "--threads", "2"));
        assertThat(c.code()).as(c.err()).isZero();
    }

    /** 6 steps of a tiny model, validated and checkpointed every 3 steps (and whenever a run stops early). */
    static List<String> pretrain(Path out, String... extra) throws IOException {
        return pretrain(out, 3, extra);
    }

    static List<String> pretrain(Path out, int evalEvery, String... extra) throws IOException {
        Files.createDirectories(out.getParent());
        List<String> a = new ArrayList<>(List.of("train", "pretrain", "--corpus", corpus.toString(), "--tokenizer", tokenizer.toString(),
                "--shape", "dim=32,layers=2,heads=4,kv=2,ffn=64,ctx=32", "--batch", "2", "--seq", "32", "--steps", "6",
                "--warmup", "2", "--eval-every", String.valueOf(evalEvery), "--eval-batches", "1", "-o", out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    @Order(1)
    void aRunStoppedAndResumedInFreshProcessesIsByteIdenticalToTheUninterruptedOne() throws Exception {
        Path out = dir.resolve("interrupted/m.gguf"), ckpt = Path.of(out + ".ckpt");
        // --max-seconds 0.001 stops after the first step that ends (every step takes longer than that), checkpointing it.
        Child c = Child.run(List.of(), pretrain(out, "--threads", "1", "--max-seconds", "0.001"));
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.err()).contains("at step 1 (continue with --resume)");
        afterStep1 = Files.copy(ckpt, dir.resolve("after-step-1.ckpt"));
        c = Child.run(List.of("-XX:TieredStopAtLevel=1"), pretrain(out, "--threads", "2", "--max-seconds", "0.001", "--resume"));
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.err()).contains("resumed from " + ckpt + " at step 1").contains("at step 2 (continue with --resume)");
        c = Child.run(List.of(), pretrain(out, "--threads", "1", "--resume"));
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.err()).contains("resumed from " + ckpt + " at step 2");

        assertThat(Files.readAllBytes(ckpt)).as("checkpoint: parameters, AdamW moments, step, RNG").isEqualTo(Files.readAllBytes(Path.of(straight + ".ckpt")));
        assertThat(Files.readAllBytes(out)).as("exported model").isEqualTo(Files.readAllBytes(straight));
        // The per-step training losses, learning rates and gradient norms too (a stopped run also validates).
        assertThat(trainColumns(Path.of(out + ".loss.csv"))).hasSize(7).isEqualTo(trainColumns(Path.of(straight + ".loss.csv")));
        assertThat(Files.readAllBytes(ckpt)).as("training moved on after step 1").isNotEqualTo(Files.readAllBytes(afterStep1));
    }

    /** step, train_loss, lr, grad_norm of each row. */
    private static List<String> trainColumns(Path csv) throws IOException {
        return Files.readAllLines(csv).stream().map(l -> {
            String[] c = l.split(",", -1);
            return String.join(",", c[0], c[1], c[4], c[5]);
        }).toList();
    }

    /**
     * A real full disk: the run writes into a tmpfs (mounted in a private mount namespace, so only the child sees
     * it) with room for one checkpoint but not for the temporary copy of the next. The second checkpoint fails with
     * one line naming the file and the OS's reason, no temporary file is left, the first checkpoint is byte for byte
     * the step-1 checkpoint, and resuming from it ends exactly where the uninterrupted run ends.
     */
    @Test
    @Order(2) // after the resume test, whose step-1 checkpoint is its reference
    void aFullDiskDuringCheckpointingKeepsThePreviousCheckpointResumable() throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("full")), kept = Files.createDirectories(dir.resolve("kept"));
        Assumptions.assumeTrue(canMountTmpfs(mnt), "a real full disk needs a private tmpfs (unshare -m, as root); "
                + "without one, loupe-core's GgufWriterFailureTest injects the same failure");
        // The same step 1 as the interrupted run above, which must have run first to give the reference checkpoint.
        Path reference = dir.resolve("reference-step-1.ckpt");
        if (afterStep1 == null) {
            Path o = dir.resolve("reference/m.gguf");
            assertThat(Child.run(List.of(), pretrain(o, "--threads", "1", "--max-seconds", "0.001")).code()).isZero();
            Files.copy(Path.of(o + ".ckpt"), reference);
        } else {
            Files.copy(afterStep1, reference);
        }
        long ckptBytes = Files.size(reference);
        // One checkpoint, half of another, and a page for the loss CSV; tmpfs counts whole 4 KiB pages.
        long kib = (ckptBytes + ckptBytes / 2) / 1024 + 8;
        Path out = mnt.resolve("m.gguf");
        List<String> script = List.of("sh", "-c", """
                mount -t tmpfs -o size=%dk tmpfs "$0" || exit 97
                "$@"; rc=$?
                ls -A "$0" > "%s/listing"
                cp "$0/m.gguf.ckpt" "%s/" 2>/dev/null
                exit $rc""".formatted(kib, kept, kept), mnt.toString());
        List<String> prefix = new ArrayList<>(List.of("unshare", "-m"));
        prefix.addAll(script);
        Child c = Child.run(prefix, List.of(), pretrain(out, 1, "--threads", "2"));

        assertThat(c.code()).as(c.err()).isEqualTo(2);
        assertThat(c.err().strip().lines().toList().getLast())
                .isEqualTo("loupe: cannot write " + out + ".ckpt: No space left on device");
        assertThat(c.err()).as("no stack trace").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(Files.readAllLines(kept.resolve("listing"))).as("no temporary file left").containsExactlyInAnyOrder("m.gguf.ckpt", "m.gguf.loss.csv");
        Path survivor = kept.resolve("m.gguf.ckpt");
        assertThat(Files.readAllBytes(survivor)).as("the step-1 checkpoint, untouched").isEqualTo(Files.readAllBytes(reference));

        Path resumed = Files.createDirectories(dir.resolve("after-full")).resolve("m.gguf");
        Files.copy(survivor, Path.of(resumed + ".ckpt"));
        CliTest.Result r = CliTest.run(pretrain(resumed, "--threads", "2", "--resume").toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("at step 1");
        assertThat(Files.readAllBytes(resumed)).isEqualTo(Files.readAllBytes(straight));
        assertThat(Files.readAllBytes(Path.of(resumed + ".ckpt"))).isEqualTo(Files.readAllBytes(Path.of(straight + ".ckpt")));
    }

    /** Bad input is one line naming the file and exit code 2, and leaves an existing output as it was. */
    @Test
    @Order(3)
    void badCorporaAreOneLineErrorsThatLeaveExistingFilesAlone() throws Exception {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Path tok = Files.copy(tokenizer, bad.resolve("tok.gguf"));
        byte[] tokBytes = Files.readAllBytes(tok);
        Path empty = Files.write(bad.resolve("empty.txt"), new byte[0]);
        Path latin1 = Files.write(bad.resolve("latin1.txt"), "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1));
        Path tiny = Files.writeString(bad.resolve("tiny.txt"), "to be or not to be");
        assertOneLine(CliTest.run("train", "tokenizer", "--corpus", empty.toString(), "--vocab", "300", "-o", tok.toString()),
                "loupe: corpus " + empty + " is empty");
        assertOneLine(CliTest.run("train", "tokenizer", "--corpus", latin1.toString(), "--vocab", "300", "-o", tok.toString()),
                "loupe: corpus " + latin1 + " is not UTF-8 (invalid byte sequence near byte 3)");
        CliTest.Result r = CliTest.run("train", "tokenizer", "--corpus", corpus.toString(), "--vocab", "30000", "-o", tok.toString());
        assertThat(r.errLines()).last().asString().startsWith("loupe: the corpus supports at most ");
        assertThat(Files.readAllBytes(tok)).as("the existing tokenizer").isEqualTo(tokBytes);

        // Pretraining: the same corpus checks, and a corpus too small for one sequence; an existing checkpoint stays.
        Path out = bad.resolve("m.gguf"), ckpt = Files.copy(Path.of(straight + ".ckpt"), bad.resolve("m.gguf.ckpt"));
        byte[] ckptBytes = Files.readAllBytes(ckpt);
        for (Path c : List.of(empty, latin1, tiny)) {
            List<String> args = pretrain(out, "--resume");
            args.set(args.indexOf("--corpus") + 1, c.toString());
            r = CliTest.run(args.toArray(String[]::new));
            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(r.errLines()).last().asString().startsWith("loupe: ").contains(c == tiny ? "corpus too small" : c.toString());
            assertThat(Files.readAllBytes(ckpt)).as("the existing checkpoint").isEqualTo(ckptBytes);
            assertThat(out).doesNotExist();
        }
    }

    private static void assertOneLine(CliTest.Result r, String line) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly(line);
    }

    private static boolean canMountTmpfs(Path mnt) {
        try {
            Process p = new ProcessBuilder("unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs \"$0\"", mnt.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** The loupe CLI in a fresh JVM on the test's classpath, with the launcher's flags, optionally behind a wrapper command. */
    record Child(int code, String err) {
        static Child run(List<String> jvmFlags, List<String> args) throws Exception {
            return run(List.of(), jvmFlags, args);
        }

        static Child run(List<String> wrapper, List<String> jvmFlags, List<String> args) throws Exception {
            List<String> cmd = new ArrayList<>(wrapper);
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss4m"));
            cmd.addAll(jvmFlags);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
            cmd.addAll(args);
            Path err = Files.createTempFile(dir, "child", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
            pb.environment().put("LOUPE_NO_PROGRESS", "1");
            Process p = pb.start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("child JVM still running after 300 s: " + cmd);
            }
            return new Child(p.exitValue(), Files.readString(err, StandardCharsets.UTF_8));
        }
    }
}
