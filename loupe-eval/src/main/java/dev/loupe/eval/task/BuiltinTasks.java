package dev.loupe.eval.task;

import dev.loupe.core.LoupeException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Tasks that ship with Loupe (resources under dev/loupe/eval/tasks). Some generate or carry their own rows and run
 * offline; the loaders for public sets (GSM8K, ARC, HellaSwag, MT-Bench, HumanEval) read a file the user gives.
 */
public final class BuiltinTasks {
    private static final String DIR = "/dev/loupe/eval/tasks/";
    /** In the order {@code loupe eval list} shows them. */
    public static final List<String> NAMES = List.of("arithmetic", "arithmetic_mc", "facts_mc", "prose_ppl",
            "gsm8k", "arc", "hellaswag", "mt_bench", "humaneval", "text_ppl");

    private BuiltinTasks() {}

    public static boolean exists(String name) {
        return NAMES.contains(name);
    }

    public static TaskSpec spec(String name) {
        try (InputStream in = open(name + ".yaml")) {
            return TaskLoader.parse(in, "builtin:" + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A built-in task by name, or a task file by path. */
    public static Task resolve(String nameOrPath, Path dataOverride) {
        if (exists(nameOrPath)) {
            return TaskLoader.build(spec(nameOrPath), "builtin:" + nameOrPath, dataOverride, BuiltinTasks::resourceRows);
        }
        Path p = Path.of(nameOrPath);
        if (Files.exists(p)) return TaskLoader.load(p, dataOverride);
        throw new LoupeException("no built-in task or task file '" + nameOrPath + "' (built-in: " + String.join(", ", NAMES) + ")");
    }

    private static List<Doc> resourceRows(String rel) {
        try (InputStream in = open(rel)) {
            return DataFile.read(in, "builtin:" + rel);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String rel) {
        InputStream in = BuiltinTasks.class.getResourceAsStream(DIR + rel);
        if (in == null) throw new IllegalStateException("missing resource " + DIR + rel);
        return in;
    }
}
