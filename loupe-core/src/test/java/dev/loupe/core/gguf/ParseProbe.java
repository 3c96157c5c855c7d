package dev.loupe.core.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Parses bytes the way {@link GgufFile} does (without a file, so thousands of cases stay fast) and checks
 * the reader's contract: a {@link GgufException} with a one-line message, or a header whose every tensor
 * lies inside the data, and in both cases little memory allocated, whatever lengths the bytes claim.
 */
final class ParseProbe {
    /** Far above what parsing a few hundred bytes needs, far below what an unchecked 2^62 length would ask for. */
    static final long MAX_ALLOCATED = 16L << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ParseProbe() {}

    /** Either the parsed header or the GgufException's message. */
    record Outcome(GgufReader.Header header, String error) {}

    static Outcome parse(byte[] file) {
        MemorySegment seg = MemorySegment.ofArray(file);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            GgufReader.Header h = new GgufReader(seg).read();
            for (TensorInfo t : h.tensors()) {
                // What GgufFile.tensorData does; must never fail for a header the reader accepted.
                seg.asSlice(h.dataOffset() + t.offset(), t.byteSize());
            }
            return new Outcome(h, null);
        } catch (GgufException e) {
            assertOneLine(e.getMessage());
            return new Outcome(null, e.getMessage());
        } catch (Throwable t) {
            throw new AssertionError("reader threw " + t + " instead of GgufException", t);
        } finally {
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            if (allocated > MAX_ALLOCATED) fail("parsing " + file.length + " bytes allocated " + allocated + " bytes");
        }
    }

    /** One short line of printable text, whatever names and strings the file carried. */
    static void assertOneLine(String message) {
        assertThat(message).isNotBlank().hasSizeLessThan(400);
        assertThat(message.chars().filter(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029'))
                .as("control characters in: %s", message).isEmpty();
    }

    /** Asserts the bytes are refused and returns the message. */
    static String rejects(byte[] file) {
        Outcome o = parse(file);
        if (o.error() == null) throw new AssertionError("reader accepted a hostile file of " + file.length + " bytes");
        return o.error();
    }
}
