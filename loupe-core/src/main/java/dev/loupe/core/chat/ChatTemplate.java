package dev.loupe.core.chat;

import dev.loupe.core.LoupeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model's chat template (the Jinja source from {@code tokenizer.chat_template}) with the model's BOS and EOS
 * strings, turning a conversation into the prompt text the model was trained on.
 *
 * <p>Rendering matches llama.cpp's {@code --jinja} path: the variables are {@code messages},
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token} (tools are left undefined, as when a request
 * has none), and, like llama.cpp, a template that ignores system messages gets the system text merged into the
 * next message ({@code system + "\n" + content}) instead of silently dropping it.
 */
public final class ChatTemplate {
    /** Text that cannot occur by accident; its presence in a probe rendering shows a system message got through. */
    private static final String SYSTEM_PROBE = "<loupe-system-probe>";

    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final boolean supportsSystemRole;

    public ChatTemplate(String source, String bosToken, String eosToken) {
        this.source = Objects.requireNonNull(source, "source");
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.supportsSystemRole = probeSystemRole();
    }

    public String source() {
        return source;
    }

    public boolean supportsSystemRole() {
        return supportsSystemRole;
    }

    /** Renders the conversation; with {@code addGenerationPrompt} it ends where the assistant's reply begins. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, null);
    }

    /**
     * As {@link #render(List, boolean)}, with the {@code tools} variable set (OpenAI-shaped tool definitions, as
     * Hugging Face and llama.cpp pass them) unless null.
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, List<Map<String, Object>> tools) {
        List<ChatMessage> turns = supportsSystemRole ? messages : mergeSystemIntoNext(messages);
        return renderRaw(turns, addGenerationPrompt, tools);
    }

    /** Whether the template reads a {@code tools} variable at all (else tools must be described in a message). */
    public boolean mentionsTools() {
        return source.contains("tools");
    }

    /**
     * The prompt without a leading BOS string, for a tokenizer that adds BOS itself; otherwise the model would see
     * two. llama.cpp does the same when the vocabulary asks for BOS.
     */
    public String stripLeadingBos(String rendered) {
        return !bosToken.isEmpty() && rendered.startsWith(bosToken) ? rendered.substring(bosToken.length()) : rendered;
    }

    private String renderRaw(List<ChatMessage> messages, boolean addGenerationPrompt, List<Map<String, Object>> tools) {
        Map<String, Object> vars = new HashMap<>();
        if (tools != null) vars.put("tools", tools);
        vars.put("messages", asTemplateValues(messages));
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        return JinjaRenderer.render(source, vars);
    }

    /** Templates index messages as dicts ({@code message['role']}, {@code message.content}). */
    private static List<Map<String, Object>> asTemplateValues(List<ChatMessage> messages) {
        List<Map<String, Object>> out = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>(m.fields());
            map.put("role", m.role());
            map.put("content", m.content());
            out.add(map);
        }
        return out;
    }

    /**
     * Renders a system + user probe: if the system text does not show up (or the template rejects the system
     * role), the template has no system role. llama.cpp's minja made the same check.
     */
    private boolean probeSystemRole() {
        try {
            String out = renderRaw(List.of(ChatMessage.system(SYSTEM_PROBE), ChatMessage.user("Hello")), false, null);
            return out.contains(SYSTEM_PROBE);
        } catch (LoupeException e) {
            return false;
        }
    }

    /** llama.cpp's workaround for templates without a system role: prepend the system text to the next turn. */
    static List<ChatMessage> mergeSystemIntoNext(List<ChatMessage> messages) {
        if (messages.isEmpty() || !messages.getFirst().role().equals("system")) return messages;
        List<ChatMessage> out = new ArrayList<>(messages.subList(1, messages.size()));
        if (!out.isEmpty()) {
            ChatMessage next = out.getFirst();
            out.set(0, new ChatMessage(next.role(), messages.getFirst().content() + "\n" + next.content(), next.fields()));
        }
        return out;
    }
}
