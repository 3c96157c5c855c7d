package dev.loupe.core.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Built-in formats against llama.cpp's built-in formatter (src/llama-chat.cpp). Where test-chat-template.cpp has a
 * case whose expected output is that formatter's, the expectation is taken from {@link ChatTemplateLlamaCppTest};
 * the rest are derived by hand from llama-chat.cpp.
 */
class BuiltinTemplatesTest {
    static final List<ChatMessage> CONVERSATION = ChatTemplateLlamaCppTest.CONVERSATION;

    @ParameterizedTest(name = "{0} renders like llama.cpp's case {1}")
    @CsvSource(delimiter = '|', value = {
        "chatml      | teknium/OpenHermes-2.5-Mistral-7B",
        "llama2      | mistralai/Mistral-7B-Instruct-v0.2 (NOTE: Old pre-v1 without a system prompt)",
        "llama3      | Llama-3",
        "phi3        | Phi-3-small",
        "phi4        | phi-4",
        "mistral-v7  | mistralai/Mistral-Large-Instruct-2411 (mistralai 'v7' template)",
        "vicuna      | eachadea/vicuna-13b-1.1",
        "vicuna-orca | Orca-Vicuna",
        "deepseek    | deepseek-ai/deepseek-coder-33b-instruct",
        "command-r   | CohereForAI/c4ai-command-r-plus",
    })
    void matchesLlamaCppBuiltin(String name, String caseName) {
        String expected = ChatTemplateLlamaCppTest.cases().filter(c -> c.name().equals(caseName)).findFirst().orElseThrow().expected();
        assertEquals(expected, render(name));
    }

    @Test
    void gemmaMergesSystemIntoFirstUserTurnWithBlankLine() {
        // llama.cpp's legacy expected_output for google/gemma-7b-it.
        assertEquals("<start_of_turn>user\nYou are a helpful assistant\n\nHello<end_of_turn>\n<start_of_turn>model\nHi there<end_of_turn>\n"
                + "<start_of_turn>user\nWho are you<end_of_turn>\n<start_of_turn>model\nI am an assistant<end_of_turn>\n"
                + "<start_of_turn>user\nAnother question<end_of_turn>\n<start_of_turn>model\n", render("gemma"));
    }

    @Test
    void zephyr() {
        assertEquals("<|system|>\nYou are a helpful assistant<|endoftext|>\n<|user|>\nHello<|endoftext|>\n<|assistant|>\nHi there<|endoftext|>\n"
                + "<|user|>\nWho are you<|endoftext|>\n<|assistant|>\n   I am an assistant   <|endoftext|>\n"
                + "<|user|>\nAnother question<|endoftext|>\n<|assistant|>\n", render("zephyr"));
    }

    @Test
    void llama2WithSystemBlock() {
        assertEquals("[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\nHello [/INST]Hi there</s>[INST] Who are you [/INST]"
                + "   I am an assistant   </s>[INST] Another question [/INST]", render("llama2-sys"));
    }

    @Test
    void everyBuiltinRendersAndKeepsTheSystemText() {
        for (String name : BuiltinTemplates.names()) {
            String out = render(name);
            assertTrue(out.contains("You are a helpful assistant") && out.contains("Another question"), name + ": " + out);
        }
    }

    private static String render(String name) {
        return ChatTemplates.builtin(name, "<s>", "</s>").render(CONVERSATION, true);
    }

}
