package dev.loupe.serve.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.sample.constrain.GrammarState;
import dev.loupe.core.sample.constrain.ReplyGrammar;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.serve.engine.Event;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Splits a tool-enabled reply into content and calls as its pieces arrive, by running the same {@link ReplyGrammar}
 * that constrained it and reading each byte's role: content streams as it comes (except bytes that may be the start
 * of the call marker, held back until the next bytes tell), a call is announced once its name is complete, and its
 * arguments follow fragment by fragment. So a stream and a whole reply are the same parts, concatenated.
 */
final class ToolReplyReader {
    /** What a reply is made of, in order. */
    sealed interface Part {
        record Content(String text) implements Part {}

        record CallStart(int index, String id, String name) implements Part {}

        record Arguments(int index, String text) implements Part {}

        /** The call's arguments are complete. */
        record CallEnd(int index) implements Part {}
    }

    /** A call as read so far; {@code arguments} is the JSON text the model wrote. */
    record Call(String id, String name, String arguments, boolean complete) {}

    private final Tokenizer tokenizer;
    private final ObjectMapper json;
    private final Supplier<String> ids;
    private GrammarState state;
    /** Text bytes that may be the start of the marker. */
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    /** The current run of released content, argument or name bytes. */
    private final ByteArrayOutputStream run = new ByteArrayOutputStream();
    private ReplyGrammar.Role runRole;
    /** Generic format: the {@code "response"} string's JSON text. */
    private final ByteArrayOutputStream response = new ByteArrayOutputStream();
    private final StringBuilder content = new StringBuilder();
    private final List<Call> calls = new ArrayList<>();
    private final StringBuilder arguments = new StringBuilder();
    private List<Part> out = new ArrayList<>();

    ToolReplyReader(ReplyGrammar.State start, Tokenizer tokenizer, ObjectMapper json, Supplier<String> ids) {
        this.state = start;
        this.tokenizer = tokenizer;
        this.json = json;
        this.ids = ids;
    }

    /** The parts this piece completes. */
    List<Part> piece(Event.Piece p) {
        for (byte b : p.text().getBytes(StandardCharsets.UTF_8)) read(b & 0xFF);
        if (p.token() >= 0 && tokenizer.isControl(p.token())) marker(new String(tokenizer.tokenBytes(p.token(), true), StandardCharsets.UTF_8));
        flush(false);
        return take();
    }

    /**
     * The parts left at the end of the reply: held-back text was text after all. A call cut off by a limit stays
     * incomplete (no {@link Part.CallEnd}); a name cut off is dropped.
     */
    List<Part> finish() {
        release(held.size());
        flush(false);
        runRole = null;
        run.reset();
        if (response.size() > 0) {
            String text = decode(response.toString(StandardCharsets.UTF_8));
            content.append(text);
            emit(new Part.Content(text));
            response.reset();
        }
        return take();
    }

    /** The reply's text (empty when the model only called). */
    String content() {
        return content.toString();
    }

    List<Call> calls() {
        return calls;
    }

    private List<Part> take() {
        List<Part> parts = out;
        out = new ArrayList<>();
        return parts;
    }

    private void read(int b) {
        GrammarState next = state == null ? null : state.feed(b);
        if (next == null) {
            // Not the grammar's (a reply cut inside a multi-byte character and patched by the decoder): plain text.
            state = null;
            byteOf(ReplyGrammar.Role.CONTENT, b);
            release(held.size());
            return;
        }
        state = next;
        ReplyGrammar.Role role = ((ReplyGrammar.State) next).role();
        byteOf(role, b);
        if (role == ReplyGrammar.Role.CONTENT) release(held.size() - ((ReplyGrammar.State) next).heldBack());
    }

    /** A control token standing for a marker: text held before it was text. */
    private void marker(String text) {
        GrammarState next = state == null ? null : state.feedSpecial(text);
        if (next == null) return;
        release(held.size());
        state = next;
        byteOf(ReplyGrammar.Role.SYNTAX, -1);
    }

    private void byteOf(ReplyGrammar.Role role, int b) {
        if (role != runRole && role != ReplyGrammar.Role.CONTENT) flush(true);
        switch (role) {
            case CONTENT -> held.write(b);
            case NAME, ARGUMENTS -> {
                runRole = role;
                run.write(b);
            }
            case RESPONSE -> response.write(b);
            case SYNTAX -> held.reset(); // held text was the marker's beginning
        }
    }

    /** Moves the first {@code n} held bytes into the content run. */
    private void release(int n) {
        if (n <= 0) return;
        if (runRole != ReplyGrammar.Role.CONTENT) flush(true);
        runRole = ReplyGrammar.Role.CONTENT;
        byte[] h = held.toByteArray();
        run.write(h, 0, n);
        held.reset();
        held.write(h, n, h.length - n);
    }

    /**
     * Turns the current run into parts. {@code ended}: the run's role is over (a name is then complete, arguments
     * end); otherwise only content and argument bytes so far are sent, so a stream shows them as they come.
     */
    private void flush(boolean ended) {
        if (runRole == null) return;
        String text = run.toString(StandardCharsets.UTF_8);
        switch (runRole) {
            case CONTENT -> {
                if (!text.isEmpty()) {
                    content.append(text);
                    emit(new Part.Content(text));
                }
                run.reset();
            }
            case ARGUMENTS -> {
                arguments.append(text);
                Call c = calls.getLast();
                calls.set(calls.size() - 1, new Call(c.id(), c.name(), arguments.toString(), ended));
                if (!text.isEmpty()) emit(new Part.Arguments(calls.size() - 1, text));
                if (ended) emit(new Part.CallEnd(calls.size() - 1));
                run.reset();
            }
            case NAME -> {
                if (!ended) return; // a name is announced whole
                String name = decode(text);
                String id = ids.get();
                calls.add(new Call(id, name, "", false));
                arguments.setLength(0);
                emit(new Part.CallStart(calls.size() - 1, id, name));
                run.reset();
            }
            default -> run.reset();
        }
        if (ended) runRole = null;
    }

    private void emit(Part p) {
        out.add(p);
    }

    /** A JSON string literal's value (names and generic answers), or the text itself if it is cut off. */
    private String decode(String literal) {
        try {
            return json.readValue(literal, String.class);
        } catch (JsonProcessingException e) {
            try {
                return json.readValue(literal + "\"", String.class);
            } catch (JsonProcessingException again) {
                return literal;
            }
        }
    }
}
