package dev.loupe.core.chat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Chat formats chosen by name, like llama.cpp's {@code --chat-template chatml}: for models whose GGUF has no
 * template, or a broken one. Each is written in Jinja so it goes through the same renderer as a model's own
 * template, and each reproduces what llama.cpp's built-in formatter of that name (src/llama-chat.cpp) writes,
 * including its literal {@code </s>} where llama.cpp hard-codes it.
 */
public final class BuiltinTemplates {
    /** The format used when a model has no template: ChatML, llama.cpp's fallback too. */
    public static final String DEFAULT = "chatml";

    private static final Map<String, String> TEMPLATES = new LinkedHashMap<>();

    static {
        TEMPLATES.put("chatml", """
                {% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}\
                {% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}""");
        // Llama 2 without <<SYS>>: a system message is written as the start of the first user turn.
        TEMPLATES.put("llama2", llama2("{{ m.content + '\\n' }}"));
        TEMPLATES.put("llama2-sys", llama2("{{ '<<SYS>>\\n' + m.content + '\\n<</SYS>>\\n\\n' }}"));
        TEMPLATES.put("llama3", """
                {% for m in messages %}{{ '<|start_header_id|>' + m.role + '<|end_header_id|>\\n\\n' + m.content | trim + '<|eot_id|>' }}{% endfor %}\
                {% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}""");
        TEMPLATES.put("mistral-v7", """
                {% for m in messages %}{% if m.role == 'system' %}{{ '[SYSTEM_PROMPT] ' + m.content + '[/SYSTEM_PROMPT]' }}\
                {% elif m.role == 'user' %}{{ '[INST] ' + m.content + '[/INST]' }}\
                {% else %}{{ ' ' + m.content + '</s>' }}{% endif %}{% endfor %}""");
        TEMPLATES.put("phi3", tagged("<|", "|>\\n", "<|end|>\\n", "<|assistant|>\\n"));
        TEMPLATES.put("zephyr", tagged("<|", "|>\\n", "<|endoftext|>\\n", "<|assistant|>\\n"));
        TEMPLATES.put("phi4", tagged("<|im_start|>", "<|im_sep|>", "<|im_end|>", "<|im_start|>assistant<|im_sep|>"));
        // Gemma has no system role: the system text opens the next user turn, separated by a blank line.
        TEMPLATES.put("gemma", """
                {% set ns = namespace(system='') %}{% for m in messages %}\
                {% if m.role == 'system' %}{% set ns.system = ns.system + m.content | trim %}{% else %}\
                {% if m.role == 'assistant' %}{% set role = 'model' %}{% else %}{% set role = m.role %}{% endif %}\
                {{ '<start_of_turn>' + role + '\\n' }}\
                {% if ns.system and role != 'model' %}{{ ns.system + '\\n\\n' }}{% set ns.system = '' %}{% endif %}\
                {{ m.content | trim + '<end_of_turn>\\n' }}{% endif %}{% endfor %}\
                {% if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}""");
        TEMPLATES.put("vicuna", vicuna("{{ m.content + '\\n\\n' }}"));
        TEMPLATES.put("vicuna-orca", vicuna("{{ 'SYSTEM: ' + m.content + '\\n' }}"));
        TEMPLATES.put("deepseek", """
                {% for m in messages %}{% if m.role == 'system' %}{{ m.content }}\
                {% elif m.role == 'user' %}{{ '### Instruction:\\n' + m.content + '\\n' }}\
                {% elif m.role == 'assistant' %}{{ '### Response:\\n' + m.content + '\\n<|EOT|>\\n' }}{% endif %}{% endfor %}\
                {% if add_generation_prompt %}{{ '### Response:\\n' }}{% endif %}""");
        TEMPLATES.put("command-r", """
                {% set tokens = {'system': '<|SYSTEM_TOKEN|>', 'user': '<|USER_TOKEN|>', 'assistant': '<|CHATBOT_TOKEN|>'} %}\
                {% for m in messages %}{% if m.role in tokens %}\
                {{ '<|START_OF_TURN_TOKEN|>' + tokens[m.role] + m.content | trim + '<|END_OF_TURN_TOKEN|>' }}{% endif %}{% endfor %}\
                {% if add_generation_prompt %}{{ '<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>' }}{% endif %}""");
    }

    private BuiltinTemplates() {}

    /** The names accepted by {@link #source(String)}, in a stable order for help text. */
    public static Set<String> names() {
        return TEMPLATES.keySet();
    }

    public static Optional<String> source(String name) {
        return Optional.ofNullable(TEMPLATES.get(name));
    }

    /** Formats that wrap every message as {@code open role close content end}, e.g. Phi-3 and Zephyr. */
    private static String tagged(String open, String close, String end, String generationPrompt) {
        return "{% for m in messages %}{{ '" + open + "' + m.role + '" + close + "' + m.content + '" + end + "' }}{% endfor %}"
                + "{% if add_generation_prompt %}{{ '" + generationPrompt + "' }}{% endif %}";
    }

    /** Llama 2's [INST] turns; {@code system} writes a system message inside the first turn. */
    private static String llama2(String system) {
        return "{{ '[INST] ' }}{% set ns = namespace(inside=true) %}{% for m in messages %}"
                + "{% if not ns.inside %}{{ '[INST] ' }}{% set ns.inside = true %}{% endif %}"
                + "{% if m.role == 'system' %}" + system
                + "{% elif m.role == 'user' %}{{ m.content + ' [/INST]' }}"
                + "{% else %}{{ m.content + '</s>' }}{% set ns.inside = false %}{% endif %}{% endfor %}";
    }

    private static String vicuna(String system) {
        return "{% for m in messages %}{% if m.role == 'system' %}" + system
                + "{% elif m.role == 'user' %}{{ 'USER: ' + m.content + '\\n' }}"
                + "{% elif m.role == 'assistant' %}{{ 'ASSISTANT: ' + m.content + '</s>\\n' }}{% endif %}{% endfor %}"
                + "{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}";
    }
}
