package dev.loupe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a byte-level BPE tokenizer, pretrain a small Llama on a text corpus, and fine-tune GGUF models",
                "(SFT, LoRA, DPO), on the CPU.", ""},
        footer = {"", "Examples:",
                "  loupe train tokenizer --corpus input.txt --vocab 4096 -o tok.gguf",
                "  loupe train pretrain --corpus input.txt --tokenizer tok.gguf \\",
                "      --shape dim=256,layers=6,heads=8,kv=4,ffn=768,ctx=256 -o model.gguf",
                "  loupe train sft -m base.gguf --data chat.jsonl -o tuned.gguf",
                "  loupe train lora -m base-q4_0.gguf --data chat.jsonl -o adapter.gguf",
                "  loupe train dpo -m tuned.gguf --data prefs.jsonl -o dpo.gguf"},
        subcommands = {TrainTokenizerCommand.class, PretrainCommand.class, SftCommand.class, LoraCommand.class,
                DpoCommand.class, CommandLine.HelpCommand.class})
final class TrainCommand {
}
