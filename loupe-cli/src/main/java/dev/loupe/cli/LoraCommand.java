package dev.loupe.cli;

import picocli.CommandLine.Command;

@Command(name = "lora", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"'train sft' with LoRA adapters (rank 8 unless --lora-rank says otherwise) on the frozen base; writes a",
                "llama.cpp-format GGUF LoRA adapter (or, with --merge, the merged model).",
                "Data: JSONL, one {\"messages\": [{\"role\": ..., \"content\": ...}, ...]} per line.", ""},
        footer = {"", "Examples:",
                "  loupe train lora -m base-q4_0.gguf --data chat.jsonl --steps 200 -o adapter.gguf",
                "  loupe train lora -m base.gguf --data chat.jsonl --lora-rank 16 --lora-targets attn_q,attn_v -o adapter.gguf",
                "  loupe train lora -m base.gguf --data chat.jsonl --merge -o merged.gguf",
                "  loupe run -m base-q4_0.gguf --lora adapter.gguf:0.5 -p \"Hi\"                       apply at half strength"})
final class LoraCommand extends SftCommand {
    @Override
    int defaultLoraRank() {
        return 8;
    }
}
