package dev.loupe.cli;

import dev.loupe.train.finetune.ChatData;
import dev.loupe.train.finetune.ChatEncoder;
import dev.loupe.train.finetune.FineTuner;
import dev.loupe.train.finetune.MaskedSequence;
import dev.loupe.train.finetune.SftTrainer;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.optim.AdamW;
import picocli.CommandLine.Command;

import java.util.List;

@Command(name = "sft", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Supervised fine-tuning on chat conversations: the loss counts only the assistant's tokens.",
                "Data: JSONL, one {\"messages\": [{\"role\": \"user\", \"content\": \"...\"}, {\"role\": \"assistant\", \"content\": \"...\"}]} per line,",
                "rendered with the model's chat template as 'loupe chat' renders it.", ""},
        footer = {"", "Examples:",
                "  loupe train sft -m base.gguf --data chat.jsonl --steps 200 -o tuned.gguf           whole model, F32 output",
                "  loupe train sft -m base-q4_0.gguf --data chat.jsonl --lora-rank 8 -o adapter.gguf  LoRA on a frozen (quantized) base",
                "  loupe chat -m base-q4_0.gguf --lora adapter.gguf                                    apply the adapter at load time",
                "  ... --resume        continue from OUTPUT.ckpt"})
class SftCommand extends FineTuneCommand {
    private List<MaskedSequence> examples;

    @Override
    List<MaskedSequence> loadData(ChatEncoder encoder) {
        examples = ChatData.readChats(data, encoder);
        return examples;
    }

    @Override
    FineTuner trainer(LlamaModel model, AdamW optimizer, long seed, int accumulation) {
        return new SftTrainer(model, optimizer, examples, seed, accumulation);
    }
}
