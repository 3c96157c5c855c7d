package dev.loupe.core.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.Fixtures;
import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.Metadata;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
    private static final List<ChatMessage> HELLO = List.of(ChatMessage.user("Hello"));

    private static String render(String template, List<ChatMessage> messages) {
        return new ChatTemplate(template, "<s>", "</s>").render(messages, true);
    }

    @Test
    void raiseExceptionIsAOneLineUserError() {
        var e = assertThrows(LoupeException.class,
                () -> render("{{ raise_exception('Only user and assistant roles are supported!') }}", HELLO));
        assertEquals("chat template rejected the conversation: Only user and assistant roles are supported!", e.getMessage());
    }

    @Test
    void syntaxErrorIsAOneLineUserError() {
        var e = assertThrows(LoupeException.class, () -> render("{% for m in messages %}{{ m.content }}", HELLO));
        assertTrue(e.getMessage().startsWith("chat template"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void pythonStringMethods() {
        String t = "{{ '  a b  '.strip() }}|{{ 'a,b,,c'.split(',') | join('/') }}|{{ ' x  y '.split() | join('/') }}|"
                + "{{ 'hello world'.title() }}|{{ 'abc'.startswith('ab') }}|{{ 'abc'.endswith(('x', 'c')) }}|"
                + "{{ 'xxhixx'.lstrip('x') }}|{{ 'Ab'.upper() }}{{ 'Ab'.lower() }}|{{ 'a-b-c'.replace('-', '+', 1) }}";
        assertEquals("a b|a/b//c|x/y|Hello World|true|true|hixx|ABab|a+b-c", render(t, HELLO));
    }

    @Test
    void pythonIndexingSlicingAndNamespace() {
        String t = "{{ messages[-1]['content'] }}|{{ messages[1:] | length }}|{{ messages[0].content[:3] }}|"
                + "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}|"
                + "{% for m in messages %}{{ loop.index0 }}{% if loop.last %}!{% endif %}{% endfor %}|"
                + "{{ {'a': 1} | tojson }}|{% for k, v in {'k': 'v'}.items() %}{{ k }}={{ v }}{% endfor %}";
        var msgs = List.of(ChatMessage.user("first"), ChatMessage.assistant("second"), ChatMessage.user("third"));
        // tojson as Python's json.dumps writes it (Hugging Face's runtime), not compact.
        assertEquals("third|2|fir|3|012!|{\"a\": 1}|k=v", render(t, msgs));
    }

    @Test
    void tojsonWritesLikePythonJsonDumps() {
        String t = "{{ {'a': [1, 2.5, 'x\"y'], 'b': {}, 'c': none, 'd': true} | tojson }}|{{ {'a': [1], 'b': []} | tojson(indent=2) }}";
        assertEquals("{\"a\": [1, 2.5, \"x\\\"y\"], \"b\": {}, \"c\": null, \"d\": true}|{\n  \"a\": [\n    1\n  ],\n  \"b\": []\n}",
                render(t, HELLO));
    }

    @Test
    void notXIsDefinedMeansNotOfTheTest() {
        String t = "{% if not add_generation_prompt is defined %}undefined{% else %}defined{% endif %}"
                + "{% if not tools is defined %}-no tools{% endif %}{% if not tools is not none %}-none{% endif %}";
        assertEquals("defined-no tools-none", render(t, HELLO));
        assertEquals("prompt text: not x is defined", SourceShim.rewrite("prompt text: not x is defined"));
    }

    @Test
    void strftimeNowFormatsLikePython() {
        var t = ZonedDateTime.of(2024, 7, 26, 9, 5, 0, 0, ZoneOffset.UTC);
        assertEquals("26 Jul 2024 09:05 Friday %", TemplateFunctions.strftime(t, "%d %b %Y %H:%M %A %%"));
        String today = render("{{ strftime_now('%Y') }}", HELLO);
        assertEquals(String.valueOf(ZonedDateTime.now().getYear()), today);
    }

    @Test
    void systemMessageIsMergedWhenTheTemplateIgnoresIt() {
        String userOnly = "{% for m in messages %}{% if m.role == 'user' %}[{{ m.content }}]{% endif %}{% endfor %}";
        var template = new ChatTemplate(userOnly, "", "");
        assertFalse(template.supportsSystemRole());
        assertEquals("[Be brief.\nHi]", template.render(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")), true));
    }

    @Test
    void stripLeadingBosForTokenizersThatAddIt() {
        var t = new ChatTemplate("{{ bos_token }}{{ messages[0].content }}", "<s>", "</s>");
        assertEquals("Hello", t.stripLeadingBos(t.render(HELLO, true)));
    }

    @Test
    void noTemplateFallsBackToChatMl() {
        var t = ChatTemplates.select(new Metadata(java.util.Map.of()), null, "", "");
        assertEquals("<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", t.render(HELLO, true));
    }

    @Test
    void overrideByNameOrSourceAndUnknownNamesAreErrors() {
        assertEquals(BuiltinTemplates.source("llama3").orElseThrow(), ChatTemplates.selectSource(null, "llama3"));
        assertEquals("{{ 'x' }}", ChatTemplates.selectSource(null, "{{ 'x' }}"));
        var e = assertThrows(LoupeException.class, () -> ChatTemplates.selectSource(null, "nosuch"));
        assertTrue(e.getMessage().contains("chatml") && e.getMessage().contains("llama3"), e.getMessage());
    }

    // Of the shared fixtures, three GGUFs carry tokenizer.chat_template: vocab qwen2 (Qwen2's ChatML with a default
    // system prompt), vocab phi-3 and model tiny-qwen3-f16 (both Phi-3-mini's template). The others have none.

    @Test
    void qwen2TemplateFromGguf() {
        String out = fromGguf(Fixtures.vocab("ggml-vocab-qwen2.gguf"), List.of(ChatMessage.user("Hello")));
        assertEquals("<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", out);
    }

    @Test
    void phi3TemplateFromGguf() {
        var msgs = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hello"), ChatMessage.assistant("Hi"), ChatMessage.user("Bye"));
        String expected = "<s><|user|>\nBe brief.\nHello<|end|>\n<|assistant|>\nHi<|end|>\n<|user|>\nBye<|end|>\n<|assistant|>\n";
        assertEquals(expected, fromGguf(Fixtures.vocab("ggml-vocab-phi-3.gguf"), msgs));
        assertEquals(expected, fromGguf(Fixtures.model("tiny-qwen3-f16.gguf"), msgs));
    }

    @Test
    void modelWithoutTemplateGetsChatMl() {
        try (GgufFile f = GgufFile.open(Fixtures.model("tiny-llama-f32.gguf"))) {
            assertFalse(f.metadata().has(ChatTemplates.METADATA_KEY));
        }
        assertTrue(fromGguf(Fixtures.model("tiny-llama-f32.gguf"), HELLO).startsWith("<|im_start|>user\nHello<|im_end|>"));
    }

    /** BOS and EOS strings come from the vocabulary here only because the tokenizer is not this package's job. */
    private static String fromGguf(Path path, List<ChatMessage> messages) {
        try (GgufFile f = GgufFile.open(path)) {
            Metadata md = f.metadata();
            String[] tokens = md.getStringArray("tokenizer.ggml.tokens");
            String bos = tokens[md.getInt("tokenizer.ggml.bos_token_id")];
            String eos = tokens[md.getInt("tokenizer.ggml.eos_token_id")];
            return ChatTemplates.select(md, null, bos, eos).render(messages, true);
        }
    }
}
