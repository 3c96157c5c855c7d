package dev.loupe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a byte-level BPE tokenizer and pretrain a small Llama on a text corpus, on the CPU.", ""},
        footer = {"", "Examples:",
                "  loupe train tokenizer --corpus input.txt --vocab 4096 -o tok.gguf",
                "  loupe train pretrain --corpus input.txt --tokenizer tok.gguf --shape dim=256,layers=6,heads=8,kv=4,ffn=768,ctx=256 -o model.gguf"},
        subcommands = {TrainTokenizerCommand.class, PretrainCommand.class, CommandLine.HelpCommand.class})
final class TrainCommand {
}
