package dev.loupe.serve;

import dev.loupe.core.chat.ChatMessage;
import dev.loupe.core.chat.ChatTemplate;
import dev.loupe.core.chat.ChatTemplates;
import dev.loupe.core.model.Model;
import dev.loupe.core.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The model a server runs, with what requests need from it: its name (as clients ask for it), tokenizer and chat
 * template.
 */
public record ServedModel(String name, Path path, Model model, Tokenizer tokenizer, ChatTemplate template) {

    public static ServedModel of(String name, Path path, Model model) {
        return of(name, path, model, null);
    }

    /** @param templateOverride null for the model's own chat template; else a built-in name or Jinja text */
    public static ServedModel of(String name, Path path, Model model, String templateOverride) {
        Tokenizer t = Tokenizer.fromMetadata(model.file().metadata());
        ChatTemplate tpl = ChatTemplates.select(model.file().metadata(), templateOverride,
                t.bos() >= 0 ? t.piece(t.bos()) : "", t.eos() >= 0 ? t.piece(t.eos()) : "");
        return new ServedModel(name, path, model, t, tpl);
    }

    /** A conversation as prompt tokens, exactly as {@code loupe chat} builds them. */
    public int[] encodeChat(List<ChatMessage> messages) {
        return encodeChat(messages, null);
    }

    /** As {@link #encodeChat(List)}, with the template's {@code tools} variable set unless null. */
    public int[] encodeChat(List<ChatMessage> messages, List<Map<String, Object>> tools) {
        String rendered = template.render(messages, true, tools);
        if (tokenizer.addBos()) rendered = template.stripLeadingBos(rendered);
        return tokenizer.encode(rendered, true, true);
    }

    /** Raw prompt text as tokens, with BOS where the model asks for it, as {@code loupe run} builds them. */
    public int[] encodeText(String text) {
        return tokenizer.encode(text, true, false);
    }

    /** Whether a request's {@code model} field names this model; empty means "whatever is loaded". */
    public boolean answersTo(String requested) {
        if (requested == null || requested.isEmpty()) return true;
        String r = requested.endsWith(":latest") ? requested.substring(0, requested.length() - ":latest".length()) : requested;
        return r.equals(name) || r.equals(name + ".gguf") || r.equals(path.toString());
    }
}
