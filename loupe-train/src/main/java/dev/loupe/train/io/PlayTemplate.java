package dev.loupe.train.io;

import dev.loupe.core.chat.ChatTemplates;
import dev.loupe.core.gguf.GgufWriter;
import dev.loupe.train.bpe.BpeVocab;

import java.util.function.Consumer;

/**
 * The chat template of a model pretrained on plays (Tiny Shakespeare): a conversation becomes a scene, the user's
 * lines spoken by ROMEO and the model's by JULIET, in the corpus's own "NAME:\nlines\n\n" layout, so a base model
 * that never saw a chat format still answers in character. A system message is a stage direction.
 */
public final class PlayTemplate {
    public static final String JINJA = "{% for m in messages %}{% if m['role'] == 'user' %}ROMEO:\n{{ m['content'] }}\n\n"
            + "{% elif m['role'] == 'assistant' %}JULIET:\n{{ m['content'] }}\n\n{% else %}{{ m['content'] }}\n\n{% endif %}{% endfor %}"
            + "{% if add_generation_prompt %}JULIET:\n{% endif %}";

    private PlayTemplate() {}

    /** The tokenizer metadata of {@code vocab} and, unless null, {@code chatTemplate}, for {@link ModelExporter}. */
    public static Consumer<GgufWriter> tokenizer(BpeVocab vocab, String chatTemplate) {
        return w -> {
            vocab.writeTo(w);
            if (chatTemplate != null) w.putString(ChatTemplates.METADATA_KEY, chatTemplate);
        };
    }
}
