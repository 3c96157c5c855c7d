package dev.loupe.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every command's --help renders cleanly: picocli reports a bad format string (a bare '%' in a description) on
 * System.err as a WARN line in front of the user's help, which the in-process CLI tests' own streams never see.
 */
class HelpTextTest {
    @Test
    void everyCommandsHelpRendersWithoutPicocliWarnings() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        assertThat(all).hasSizeGreaterThan(20);

        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        List<String> problems = new ArrayList<>();
        try {
            for (CommandLine c : all) {
                int before = captured.size();
                String usage = c.getUsageMessage(CommandLine.Help.Ansi.OFF);
                String warned = captured.toString(StandardCharsets.UTF_8).substring(before);
                String path = c.getCommandSpec().qualifiedName();
                if (!warned.isBlank()) problems.add(path + ": " + warned.strip());
                if (usage.contains("%n")) problems.add(path + ": unformatted %n in help");
                if (!usage.contains("Usage:")) problems.add(path + ": no usage line");
                // A hand-written line longer than the help width is broken again mid-sentence by picocli.
                for (String line : handWritten(c.getCommandSpec())) {
                    if (line.length() > Main.HELP_WIDTH) problems.add(path + ": line longer than " + Main.HELP_WIDTH + ": " + line);
                }
            }
        } finally {
            System.setErr(saved);
        }
        assertThat(problems).isEmpty();
    }

    private static List<String> handWritten(CommandLine.Model.CommandSpec spec) {
        List<String> lines = new ArrayList<>(List.of(spec.usageMessage().description()));
        lines.addAll(List.of(spec.usageMessage().footer()));
        lines.addAll(List.of(spec.usageMessage().header()));
        return lines;
    }

    private static void collect(CommandLine c, List<CommandLine> into) {
        into.add(c);
        for (CommandLine sub : c.getSubcommands().values()) if (!into.contains(sub)) collect(sub, into);
    }
}
