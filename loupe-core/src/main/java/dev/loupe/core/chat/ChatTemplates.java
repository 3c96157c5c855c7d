package dev.loupe.core.chat;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.Metadata;

/**
 * Picks a model's chat template the way llama.cpp does: a user override (a built-in name such as
 * {@code "chatml"} or {@code "llama3"}, or a Jinja template's text) wins; otherwise the GGUF's
 * {@code tokenizer.chat_template}; otherwise ChatML, which most instruction-tuned models without a template
 * understand well enough.
 */
public final class ChatTemplates {
    public static final String METADATA_KEY = "tokenizer.chat_template";

    private ChatTemplates() {}

    /**
     * @param override null or blank for none; a built-in name; or template source (anything containing
     *     {@code {%} or {@code {{})
     */
    public static ChatTemplate select(Metadata metadata, String override, String bosToken, String eosToken) {
        return new ChatTemplate(selectSource(metadata, override), bosToken, eosToken);
    }

    static String selectSource(Metadata metadata, String override) {
        if (override != null && !override.isBlank()) return resolveOverride(override.strip());
        if (metadata != null && metadata.has(METADATA_KEY)) return metadata.getString(METADATA_KEY);
        return BuiltinTemplates.source(BuiltinTemplates.DEFAULT).orElseThrow();
    }

    /** A built-in by name. */
    public static ChatTemplate builtin(String name, String bosToken, String eosToken) {
        return new ChatTemplate(resolveOverride(name), bosToken, eosToken);
    }

    private static String resolveOverride(String override) {
        var builtin = BuiltinTemplates.source(override);
        if (builtin.isPresent()) return builtin.get();
        if (override.contains("{%") || override.contains("{{")) return override;
        throw new LoupeException("unknown chat template '" + override + "'; built-in templates: "
                + String.join(", ", BuiltinTemplates.names()));
    }
}
