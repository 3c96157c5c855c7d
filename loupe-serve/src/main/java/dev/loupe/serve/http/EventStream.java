package dev.loupe.serve.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A streamed response: OpenAI's server-sent events ({@code data: {...}\n\n}, ending with {@code data: [DONE]\n\n})
 * or Ollama's NDJSON (one object per line). Each event is flushed at once, so the client sees tokens as they come;
 * a failed write means the client went away, and surfaces as the IOException the caller cancels on.
 */
final class EventStream {
    private final OutputStream out;
    private final ObjectMapper json;
    private final boolean sse;

    private EventStream(Context ctx, ObjectMapper json, boolean sse) throws IOException {
        this.json = json;
        this.sse = sse;
        ctx.status(200);
        ctx.contentType(sse ? "text/event-stream; charset=utf-8" : "application/x-ndjson");
        ctx.header("Cache-Control", "no-cache");
        ctx.header("X-Accel-Buffering", "no");
        // The servlet stream itself: Javalin's wrapper would decide about compression and buffer on its own terms.
        this.out = ctx.res().getOutputStream();
    }

    static EventStream sse(Context ctx, ObjectMapper json) throws IOException {
        return new EventStream(ctx, json, true);
    }

    static EventStream ndjson(Context ctx, ObjectMapper json) throws IOException {
        return new EventStream(ctx, json, false);
    }

    void send(Object event) throws IOException {
        byte[] body = json.writeValueAsBytes(event);
        if (sse) out.write("data: ".getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.write(sse ? "\n\n".getBytes(StandardCharsets.US_ASCII) : "\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** SSE's end marker; NDJSON ends with the object that says done. */
    void done() throws IOException {
        if (sse) {
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }
}
