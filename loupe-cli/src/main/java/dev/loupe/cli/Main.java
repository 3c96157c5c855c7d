package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;

/** The {@code loupe} command. Exit codes: 0 success, 2 bad input (one line on stderr), 1 internal error. */
@Command(name = "loupe", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Run, inspect and tokenize GGUF language models on a CPU, in pure Java.", ""},
        footer = {"", "Examples:",
                "  loupe run \"Once upon a time\"            generate with the model that ships with Loupe",
                "  loupe run -m model.gguf -p \"Hi\" -n 64    generate 64 tokens with your model",
                "  loupe chat -m model.gguf                  chat using the model's own chat template",
                "  loupe inspect model.gguf                  metadata and tensor table",
                "  loupe tokenize -m model.gguf \"Hello\"      token ids and pieces",
                "  loupe quantize in.gguf out.gguf Q4_K_M    quantize as llama-quantize does",
                "  loupe bench -m model.gguf                 prompt and generation speed, like llama-bench",
                "  loupe serve --model model.gguf            OpenAI- and Ollama-compatible HTTP server",
                "  loupe list                                models in the models folder",
                "  loupe eval run arithmetic_mc              evaluate on a built-in task (see 'loupe eval list')",
                "  loupe lens logit-lens \"The cat sat\"       what each layer predicts (see 'loupe lens --help')",
                "  loupe think run tasks.jsonl --strategy majority --n 8   spend inference-time compute",
                "", "Run 'loupe help COMMAND' for a command's options."})
public final class Main {
    /** The subcommands, in the order help lists them. */
    static final List<Class<?>> COMMANDS = List.of(RunCommand.class, ChatCommand.class, InspectCommand.class,
            TokenizeCommand.class, GenModelCommand.class, QuantizeCommand.class, BenchCommand.class, PerplexityCommand.class, ServeCommand.class,
            ListCommand.class, CacheCommand.class, EvalCommand.class, DataCommand.class, TrainCommand.class, LensCommand.class, ThinkCommand.class,
            CommandLine.HelpCommand.class);

    public static final int EXIT_BAD_INPUT = 2;
    public static final int EXIT_INTERNAL = 1;

    public static void main(String[] args) {
        dev.loupe.core.StartupTrace.mark("jvm up, main() entered");
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code (used by tests in-process). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine(args.length > 0 ? args[0] : null);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("loupe: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Try 'loupe " + commandPath(ex.getCommandLine()) + "--help'.");
            return EXIT_BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            if (ex instanceof LoupeException le) {
                err.println("loupe: " + le.getMessage());
                return EXIT_BAD_INPUT;
            }
            if (ex instanceof java.io.UncheckedIOException || ex instanceof java.io.IOException) {
                err.println("loupe: " + ex.getMessage());
                return EXIT_BAD_INPUT;
            }
            err.println("loupe: internal error: " + ex);
            if (System.getenv("LOUPE_DEBUG") != null) ex.printStackTrace(err);
            else err.println("loupe: set LOUPE_DEBUG=1 for the stack trace, and please report it.");
            return EXIT_INTERNAL;
        });
        return cl.execute(args);
    }

    /**
     * The command tree, with only the subcommand {@code first} names when it names one: picocli builds a model of
     * every command it is given by reflection, and the whole tree (lens, eval, data, train ... with their mixins)
     * took about a second of CPU on a cold JVM before {@code run} could start. Anything else (help, a typo, an
     * option) gets the whole tree, so listings and suggestions stay complete. Help is laid out {@value #HELP_WIDTH}
     * columns wide: descriptions and footers are written as lines of up to that width (examples in aligned
     * columns); at picocli's default of 80 they were broken again mid-sentence.
     */
    static CommandLine commandLine(String first) {
        CommandLine cl = new CommandLine(new Main());
        Class<?> only = null;
        for (Class<?> c : COMMANDS) {
            Command a = c.getAnnotation(Command.class);
            if (first != null && (a.name().equals(first) || List.of(a.aliases()).contains(first))) only = c;
        }
        for (Class<?> c : COMMANDS) {
            if (only == null || c == only) cl.addSubcommand(c);
        }
        // After the subcommands: picocli hands the width to the commands present when it is set.
        cl.setUsageHelpWidth(HELP_WIDTH);
        return cl;
    }

    static final int HELP_WIDTH = 120;

    private static String commandPath(CommandLine c) {
        String name = c.getCommandName();
        return "loupe".equals(name) ? "" : name + " ";
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"loupe " + (v != null ? v : "0.1.0-SNAPSHOT") + " (Java " + Runtime.version() + ")"};
        }
    }
}
