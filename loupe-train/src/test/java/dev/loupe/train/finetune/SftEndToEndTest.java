package dev.loupe.train.finetune;

import dev.loupe.core.chat.ChatMessage;
import dev.loupe.core.chat.ChatTemplate;
import dev.loupe.core.chat.ChatTemplates;
import dev.loupe.core.lora.LoraSpec;
import dev.loupe.core.lora.LoraTarget;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.train.TestData;
import dev.loupe.train.io.AdapterExporter;
import dev.loupe.train.io.ModelExporter;
import dev.loupe.train.io.ModelImporter;
import dev.loupe.train.nn.LlamaConfig;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.nn.Lora;
import dev.loupe.train.optim.AdamW;
import dev.loupe.train.optim.AdamWConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SFT from a GGUF base (random-weight llama.cpp fixtures) until the model answers a question with the trained reply;
 * the answer is then generated greedily by Loupe's engine from the exported file (full SFT: a merged F32 model; LoRA
 * on a Q4_0 base: the base plus the exported adapter, applied at load time).
 */
class SftEndToEndTest {
    static final ThreadPool POOL = new ThreadPool(2);
    static final String QUESTION = "What is the capital of France?", ANSWER = "Paris is the capital of France.";
    static final List<ChatMessage> CHAT = List.of(ChatMessage.user(QUESTION), ChatMessage.assistant(ANSWER));

    @AfterAll
    static void close() {
        POOL.close();
    }

    @Test
    void fullSftTeachesTheAnswer(@TempDir Path dir) {
        Path out = dir.resolve("sft.gguf");
        try (Model base = Model.load(TestData.fixtureModel("tiny-llama-f32"))) {
            assertThat(greedy(base)).doesNotStartWith(ANSWER);
            LlamaConfig c = ModelImporter.config(base);
            LlamaModel m = new LlamaModel(c, 1, 48, POOL);
            ModelImporter.load(base, c, m.params);
            SftTrainer t = new SftTrainer(m, new AdamW(new AdamWConfig(3e-3f, 0.9f, 0.95f, 1e-8f, 0f, 2, 12, 1f, 1f), m.layout()),
                    List.of(encoder(base).encode(CHAT)), 1, 1);
            System.out.printf("conversation: %d tokens%n", encoder(base).encode(CHAT).length());
            double first = t.step().loss(), last = first;
            for (int s = 1; s < 12; s++) last = t.step().loss();
            System.out.printf("full SFT: assistant-token loss %.3f -> %.4f in 12 steps%n", first, last);
            assertThat(last).isLessThan(0.05);
            ModelExporter.write(out, "sft", c, m.params, ModelImporter.tokenizerOf(base.file()));
        }
        try (Model tuned = Model.load(out)) {
            assertThat(greedy(tuned)).startsWith(ANSWER + "<|im_end|>");
        }
    }

    @Test
    void loraOnAQuantizedBaseTeachesTheAnswer(@TempDir Path dir) {
        Path base = TestData.fixtureModel("tiny-llama-q4_0"), adapter = dir.resolve("adapter.gguf");
        try (Model b = Model.load(base)) {
            LlamaConfig c = ModelImporter.config(b);
            LlamaModel m = new LlamaModel(c, 1, 48, POOL);
            ModelImporter.load(b, c, m.params);
            float[] frozen = m.params.clone();
            Lora lora = m.attachLora(new Lora.Config(8, 16f, EnumSet.allOf(LoraTarget.class)));
            lora.initialize(5);
            SftTrainer t = new SftTrainer(m, new AdamW(new AdamWConfig(1e-2f, 0.9f, 0.95f, 1e-8f, 0f, 2, 16, 1f, 1f), lora.params.length),
                    List.of(encoder(b).encode(CHAT)), 1, 1);
            double first = t.step().loss(), last = first;
            for (int s = 1; s < 16; s++) last = t.step().loss();
            System.out.printf("LoRA SFT on Q4_0: assistant-token loss %.3f -> %.4f in 16 steps (%d adapter parameters)%n", first, last, lora.params.length);
            assertThat(last).isLessThan(0.05);
            assertThat(java.util.Arrays.equals(m.params, frozen)).as("the base stays frozen").isTrue();
            AdapterExporter.write(adapter, "sft-lora", "llama", lora);
        }
        try (Model tuned = Model.load(base, List.of(new LoraSpec(adapter, 1f)))) {
            assertThat(greedy(tuned)).startsWith(ANSWER + "<|im_end|>");
        }
    }

    private static ChatEncoder encoder(Model m) {
        Tokenizer tok = Tokenizer.fromMetadata(m.file().metadata());
        return new ChatEncoder(tok, template(tok));
    }

    private static ChatTemplate template(Tokenizer tok) {
        return ChatTemplates.builtin("chatml", tok.piece(tok.bos()), tok.piece(tok.eos()));
    }

    /** The engine's greedy reply to the question, as 'loupe chat' would prompt it. */
    private static String greedy(Model m) {
        Tokenizer tok = Tokenizer.fromMetadata(m.file().metadata());
        ChatTemplate tpl = template(tok);
        String prompt = tpl.render(List.of(ChatMessage.user(QUESTION)), true);
        if (tok.addBos()) prompt = tpl.stripLeadingBos(prompt);
        int[] ids = tok.encode(prompt, true, true);
        int[] reply = new int[24];
        try (Session s = new Session(m, 64, POOL)) {
            float[] logits = s.prefill(ids);
            for (int i = 0; i < reply.length; i++) {
                int best = 0;
                for (int j = 1; j < logits.length; j++) if (logits[j] > logits[best]) best = j;
                reply[i] = best;
                logits = s.forward(best, true);
            }
        }
        return tok.decode(reply);
    }
}
