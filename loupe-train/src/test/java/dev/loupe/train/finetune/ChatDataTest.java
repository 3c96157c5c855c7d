package dev.loupe.train.finetune;

import dev.loupe.core.LoupeException;
import dev.loupe.core.chat.ChatMessage;
import dev.loupe.core.chat.ChatTemplates;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.train.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Chat rendering and masking with a real (SentencePiece) tokenizer and ChatML; JSONL errors name file and line. */
class ChatDataTest {
    static ChatEncoder encoder;

    @BeforeAll
    static void load() {
        try (GgufFile f = GgufFile.open(TestData.fixtureModel("tiny-llama-f32"))) {
            Tokenizer tok = Tokenizer.fromMetadata(f.metadata());
            encoder = new ChatEncoder(tok, ChatTemplates.builtin("chatml", tok.piece(tok.bos()), tok.piece(tok.eos())));
        }
    }

    @Test
    void onlyTheAssistantTurnsAreTargets() {
        List<ChatMessage> chat = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Capital of France?"),
                ChatMessage.assistant("Paris."), ChatMessage.user("And of Italy?"), ChatMessage.assistant("Rome."));
        MaskedSequence s = encoder.encode(chat);
        Tokenizer tok = encoder.tokenizer();
        // The tokens are those of the whole rendered conversation, as 'loupe chat' tokenizes it.
        String rendered = ChatTemplates.builtin("chatml", "", "").render(chat, false);
        int[] whole = tok.encode(rendered, true, true);
        assertThat(s.length()).isEqualTo(whole.length - 1);
        for (int t = 0; t < s.length(); t++) {
            assertThat(s.tokens()[t]).isEqualTo(whole[t]);
            if (s.targets()[t] >= 0) assertThat(s.targets()[t]).isEqualTo(whole[t + 1]);
        }
        // The targets, span by span, spell each reply followed by ChatML's end of turn.
        List<String> spans = new ArrayList<>();
        List<Integer> cur = new ArrayList<>();
        for (int t = 0; t <= s.length(); t++) {
            if (t < s.length() && s.targets()[t] >= 0) {
                cur.add(s.targets()[t]);
            } else if (!cur.isEmpty()) {
                spans.add(tok.decode(cur.stream().mapToInt(Integer::intValue).toArray()));
                cur.clear();
            }
        }
        assertThat(spans).containsExactly("Paris.<|im_end|>\n", "Rome.<|im_end|>\n");
    }

    @Test
    void badLinesNameTheirFileAndLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("chat.jsonl");
        String good = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"hello\"}]}";
        Files.writeString(f, good + "\n\n{\"messages\": [\n");
        assertThatThrownBy(() -> ChatData.readChats(f, encoder)).isInstanceOf(LoupeException.class).hasMessageStartingWith(f + ":3: not valid JSON");
        Files.writeString(f, good + "\n{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n");
        assertThatThrownBy(() -> ChatData.readChats(f, encoder)).hasMessage(f + ":2: the conversation has no assistant message to learn from");
        Files.writeString(f, "{\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}\n");
        assertThatThrownBy(() -> ChatData.readChats(f, encoder)).hasMessageContaining(f + ":1: unknown role 'robot'");
        Files.writeString(f, "{\"prompt\":\"hi\",\"chosen\":\"hello\"}\n");
        assertThatThrownBy(() -> ChatData.readPreferences(f, encoder)).hasMessage(f + ":1: missing text field 'rejected'");
        Files.write(f, new byte[]{'{', (byte) 0xff, '}', '\n'});
        assertThatThrownBy(() -> ChatData.readChats(f, encoder)).hasMessage(f + ": not UTF-8 text");
        Files.writeString(f, "\n");
        assertThatThrownBy(() -> ChatData.readChats(f, encoder)).hasMessage(f + " has no examples");
        Files.writeString(f, good + "\n");
        assertThat(ChatData.readChats(f, encoder)).hasSize(1);
    }
}
