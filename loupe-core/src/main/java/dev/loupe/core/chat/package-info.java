/**
 * Chat templates: turning a conversation into a model's prompt text, as llama.cpp's {@code --jinja} does.
 *
 * <p>Start at {@link dev.loupe.core.chat.ChatTemplates#select}: a {@code --chat-template} style override (a name
 * from {@link dev.loupe.core.chat.BuiltinTemplates} or Jinja text), else the GGUF's {@code tokenizer.chat_template},
 * else ChatML. {@link dev.loupe.core.chat.ChatTemplate} renders with Jinjava, made to read Python Jinja by
 * {@code JinjaRenderer} (trim/lstrip blocks, Python precedence), {@code PythonStringMethods} ({@code .strip()},
 * {@code .split()}, ...), {@code SourceShim} ({@code not x is defined}) and {@code TemplateFunctions}
 * ({@code raise_exception}, {@code strftime_now}). Every template case of llama.cpp's test-chat-template.cpp that
 * llama.cpp itself renders with Jinja is checked in {@code ChatTemplateLlamaCppTest}.
 */
package dev.loupe.core.chat;
