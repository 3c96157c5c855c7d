package dev.loupe.train.finetune;

import dev.loupe.core.LoupeException;
import dev.loupe.core.chat.ChatMessage;
import dev.loupe.core.chat.ChatTemplate;
import dev.loupe.core.tokenizer.Tokenizer;

import java.util.List;

/**
 * Turns a conversation into a {@link MaskedSequence}: rendered with the model's chat template and tokenized exactly
 * as {@code loupe chat} does at inference, with only the assistant's turns as targets.
 *
 * <p>Which tokens are the assistant's is found by rendering incrementally, as chat templates are written to allow:
 * the conversation up to assistant turn i with the generation prompt (where the reply starts) and up to and
 * including turn i (where it ends, after the template's end-of-turn text, which the model must learn to emit).
 * Each is tokenized on its own and compared with the tokens of the whole conversation: the reply is the tokens
 * from the first point of difference of the former to that of the latter. Tokenizing the whole string once and
 * comparing prefixes (rather than tokenizing pieces and concatenating) keeps the tokens identical to inference even
 * where a tokenizer treats the start of a text specially (SentencePiece's space prefix).
 */
public final class ChatEncoder {
    private final Tokenizer tokenizer;
    private final ChatTemplate template;

    public ChatEncoder(Tokenizer tokenizer, ChatTemplate template) {
        this.tokenizer = tokenizer;
        this.template = template;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The conversation's tokens with every assistant turn as targets; a {@link LoupeException} if it has none. */
    public MaskedSequence encode(List<ChatMessage> messages) {
        int[] ids = tokens(messages, false);
        boolean[] trained = new boolean[ids.length];
        int turns = 0;
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).role().equals("assistant")) continue;
            turns++;
            int from = commonPrefix(tokens(messages.subList(0, i), true), ids);
            int to = commonPrefix(tokens(messages.subList(0, i + 1), false), ids);
            for (int t = from; t < to; t++) trained[t] = true;
        }
        if (turns == 0) throw new LoupeException("the conversation has no assistant message to learn from");
        int n = ids.length - 1;
        int[] tokens = new int[Math.max(0, n)], targets = new int[Math.max(0, n)];
        for (int t = 0; t < n; t++) {
            tokens[t] = ids[t];
            targets[t] = trained[t + 1] ? ids[t + 1] : -1;
        }
        MaskedSequence s = new MaskedSequence(tokens, targets);
        if (s.trainedTokens() == 0) throw new LoupeException("the assistant messages render to no tokens");
        return s;
    }

    private int[] tokens(List<ChatMessage> messages, boolean generationPrompt) {
        String text = template.render(messages, generationPrompt);
        if (tokenizer.addBos()) text = template.stripLeadingBos(text);
        return tokenizer.encode(text, true, true);
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length), i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }
}
