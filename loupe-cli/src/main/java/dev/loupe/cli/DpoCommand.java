package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.train.finetune.ChatData;
import dev.loupe.train.finetune.ChatEncoder;
import dev.loupe.train.finetune.DpoTrainer;
import dev.loupe.train.finetune.FineTuner;
import dev.loupe.train.finetune.MaskedSequence;
import dev.loupe.train.finetune.PreferencePair;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.optim.AdamW;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

@Command(name = "dpo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Direct Preference Optimization: raise the likelihood of the chosen answer over the rejected one,",
                "relative to the starting model (the frozen reference, whose log-probabilities are computed once per pair).",
                "Data: JSONL, one {\"prompt\": \"...\", \"chosen\": \"...\", \"rejected\": \"...\"} per line (prompt may also be a",
                "messages list); rendered with the chat template, the answers as the assistant's turn.", ""},
        footer = {"", "Examples:",
                "  loupe train dpo -m sft.gguf --data prefs.jsonl --beta 0.1 --steps 100 -o dpo.gguf",
                "  loupe train dpo -m base.gguf --data prefs.jsonl --lora-rank 8 -o dpo-adapter.gguf"})
final class DpoCommand extends FineTuneCommand {
    @Option(names = "--beta", paramLabel = "B", description = "DPO's beta: how far from the reference the policy may move (default: ${DEFAULT-VALUE}).")
    double beta = 0.1;

    private List<PreferencePair> pairs;

    @Override
    List<MaskedSequence> loadData(ChatEncoder encoder) {
        pairs = ChatData.readPreferences(data, encoder);
        return pairs.stream().flatMap(p -> java.util.stream.Stream.of(p.chosen(), p.rejected())).toList();
    }

    @Override
    int defaultBatch() {
        return 2;
    }

    @Override
    FineTuner trainer(LlamaModel model, AdamW optimizer, long seed, int accumulation) {
        if (model.batch() % 2 != 0) throw new LoupeException("--batch must be even for DPO (a chosen and a rejected answer per pair)");
        return new DpoTrainer(model, optimizer, pairs, beta, seed, accumulation);
    }
}
