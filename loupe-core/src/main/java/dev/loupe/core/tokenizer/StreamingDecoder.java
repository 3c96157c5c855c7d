package dev.loupe.core.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns generated token ids into text as they arrive. A token may end in the middle of a UTF-8
 * character (byte tokens of an emoji, say), so the incomplete tail is held back until the next token
 * completes it; {@link #flush} releases whatever is left (incomplete bytes as U+FFFD). Not thread-safe.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    public StreamingDecoder(Tokenizer tokenizer, boolean renderSpecial) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
    }

    public StreamingDecoder(Tokenizer tokenizer) {
        this(tokenizer, false);
    }

    /** Adds one token; returns the text that is now complete (possibly empty). */
    public String accept(int id) {
        pending.writeBytes(tokenizer.tokenBytes(id, renderSpecial));
        byte[] bytes = pending.toByteArray();
        int complete = completePrefix(bytes);
        pending.reset();
        pending.write(bytes, complete, bytes.length - complete);
        return new String(bytes, 0, complete, StandardCharsets.UTF_8);
    }

    /** Returns the held-back bytes as text (invalid or incomplete sequences become U+FFFD) and clears them. */
    public String flush() {
        String s = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return s;
    }

    /**
     * Length of the prefix that does not end inside a UTF-8 sequence: if one of the last three bytes
     * starts a sequence longer than the bytes after it, stop before it. Anything else (complete or
     * simply invalid) is released, so bad bytes never block the stream.
     */
    static int completePrefix(byte[] b) {
        int n = b.length;
        for (int i = n - 1; i >= Math.max(0, n - 3); i--) {
            int c = b[i] & 0xFF;
            if ((c & 0xC0) == 0x80) continue; // continuation byte: keep looking for its lead
            int need = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 1;
            if (c >= 0xF5) need = 1;
            return n - i < need ? i : n;
        }
        return n;
    }
}
