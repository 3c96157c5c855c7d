package dev.loupe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "lens", mixinStandardHelpOptions = true,
        description = {"Look inside a model: hook points, activation caches, logit lens, attention, ablation, patching, induction heads.", ""},
        footer = {"", "Examples:",
                "  loupe lens hooks                                             the hook point names (TransformerLens naming)",
                "  loupe lens cache \"The cat sat\" -o acts/                      every activation as .npy files",
                "  loupe lens logit-lens \"The cat sat on the\" --html lens.html  top token per layer and position",
                "  loupe lens attention \"The cat sat on the mat\" -o attn.html   interactive attention page",
                "  loupe lens ablate \"The cat sat on the mat\" --html abl.html  loss change of each head ablated",
                "  loupe lens patch --clean \"...\" --corrupted \"...\" --target \" Mary\" --foil \" John\"",
                "  loupe lens induction --html induction.html                  the repeated-random-tokens experiment",
                "  loupe lens position-sweep --filler book.txt --html pos.html  lost in the middle: accuracy against depth",
                "  loupe lens steer make --pos a.txt --neg b.txt --layer 2 -o v.safetensors   a steering vector"},
        subcommands = {LensHooksCommand.class, LensCacheCommand.class, LensLogitLensCommand.class, LensAttentionCommand.class,
                LensAblateCommand.class, LensPatchCommand.class, LensInductionCommand.class,
                LensSaeCommand.class, LensEditCommand.class, LensPositionSweepCommand.class, LensSteerCommand.class, CommandLine.HelpCommand.class})
final class LensCommand {
}
