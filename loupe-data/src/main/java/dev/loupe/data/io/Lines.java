package dev.loupe.data.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a byte stream line by line and decodes each line as strict UTF-8. Working on bytes (not a Reader) is what
 * lets an invalid line be reported with its number and skipped while the lines after it are still read.
 */
final class Lines implements AutoCloseable {
    /** One raw line: its 1-based number and either its text or why it could not be decoded. */
    record Line(long number, String text, String invalidUtf8) {}

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] buf = new byte[1 << 16];
    private int pos, limit;
    private byte[] line = new byte[256];
    private long number;

    Lines(InputStream in) {
        this.in = in;
    }

    /** The last line number handed out (for errors found while reading the next). */
    long number() {
        return number;
    }

    /** The next line, or null at the end. A truncated compressed stream throws {@link EOFException}. */
    Line next() throws IOException {
        int len = 0;
        boolean any = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(buf, 0, buf.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!any) return null;
                    break;
                }
            }
            any = true;
            int start = pos;
            while (pos < limit && buf[pos] != '\n') pos++;
            int n = pos - start;
            if (len + n > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, len + n));
            System.arraycopy(buf, start, line, len, n);
            len += n;
            if (pos < limit) {
                pos++; // the newline
                break;
            }
        }
        number++;
        if (len > 0 && line[len - 1] == '\r') len--;
        try {
            CharBuffer cb = decoder.decode(ByteBuffer.wrap(line, 0, len));
            return new Line(number, cb.toString(), null);
        } catch (CharacterCodingException e) {
            return new Line(number, null, "invalid UTF-8 at byte " + firstInvalid(len));
        }
    }

    private int firstInvalid(int len) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
        ByteBuffer bb = ByteBuffer.wrap(line, 0, len);
        d.decode(bb, CharBuffer.allocate(len + 1), true);
        return bb.position();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
