package dev.loupe.train.finetune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;
import dev.loupe.core.chat.ChatMessage;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Fine-tuning data from JSONL, one example per line (blank lines skipped), every error reported as
 * {@code file:line: what is wrong}:
 * <ul>
 *   <li>chat (SFT): {@code {"messages": [{"role": "user", "content": "..."}, {"role": "assistant", "content": "..."}]}}</li>
 *   <li>preferences (DPO): {@code {"prompt": "...", "chosen": "...", "rejected": "..."}}; the prompt is the user's
 *       turn and the answers the assistant's, rendered with the chat template. {@code prompt} may also be a
 *       {@code messages}-style list (e.g. with a system message).</li>
 * </ul>
 */
public final class ChatData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatData() {}

    /** Conversations for SFT. */
    public static List<MaskedSequence> readChats(Path file, ChatEncoder encoder) {
        return read(file, (node, where) -> encoder.encode(messages(node.get("messages"), "messages", where)));
    }

    /** Preference pairs for DPO. */
    public static List<PreferencePair> readPreferences(Path file, ChatEncoder encoder) {
        return read(file, (node, where) -> {
            JsonNode p = node.get("prompt");
            List<ChatMessage> prompt = p != null && p.isArray() ? messages(p, "prompt", where) : List.of(ChatMessage.user(text(node, "prompt", where)));
            return new PreferencePair(answer(encoder, prompt, text(node, "chosen", where)), answer(encoder, prompt, text(node, "rejected", where)));
        });
    }

    private static MaskedSequence answer(ChatEncoder encoder, List<ChatMessage> prompt, String reply) {
        List<ChatMessage> turns = new ArrayList<>(prompt);
        turns.add(ChatMessage.assistant(reply));
        return encoder.encode(turns);
    }

    private static <T> List<T> read(Path file, BiFunction<JsonNode, String, T> parse) {
        List<T> out = new ArrayList<>();
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file), decoder))) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                String where = file + ":" + n;
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new LoupeException(where + ": not valid JSON (" + e.getOriginalMessage() + ")");
                }
                if (node == null || !node.isObject()) throw new LoupeException(where + ": expected a JSON object");
                try {
                    out.add(parse.apply(node, where));
                } catch (LoupeException e) {
                    throw e.getMessage().startsWith(where) ? e : new LoupeException(where + ": " + e.getMessage());
                }
            }
        } catch (CharacterCodingException e) {
            throw new LoupeException(file + ": not UTF-8 text");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new LoupeException("no such file: " + file);
        } catch (IOException e) {
            throw new LoupeException("cannot read " + file + ": " + e.getMessage());
        }
        if (out.isEmpty()) throw new LoupeException(file + " has no examples");
        return out;
    }

    private static List<ChatMessage> messages(JsonNode list, String field, String where) {
        if (list == null || !list.isArray() || list.isEmpty()) throw new LoupeException(where + ": '" + field + "' must be a non-empty list of {\"role\", \"content\"} objects");
        List<ChatMessage> out = new ArrayList<>();
        for (JsonNode m : list) {
            if (!m.isObject()) throw new LoupeException(where + ": each of '" + field + "' must be an object with role and content");
            String role = text(m, "role", where);
            if (!role.equals("system") && !role.equals("user") && !role.equals("assistant")) {
                throw new LoupeException(where + ": unknown role '" + role + "' (system, user, assistant)");
            }
            out.add(new ChatMessage(role, text(m, "content", where)));
        }
        return out;
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) throw new LoupeException(where + ": missing text field '" + field + "'");
        return v.asText();
    }
}
