package dev.loupe.lens.html;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.gguf.AtomicFile;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A self-contained HTML page: inline CSS, the data as JSON in a {@code <script type="application/json">} block and
 * inline JavaScript that renders it. No CDN, no network: the file opens from disk anywhere.
 */
public final class HtmlPage {
    private HtmlPage() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    static final String BASE_CSS = """
            body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:1.5rem;color:#222;background:#fff}
            h1{font-size:1.3rem;margin:0 0 .3rem}p.sub{color:#555;margin:0 0 1rem;font-size:.9rem}
            .tok{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre}
            """;

    /** Data as JSON safe inside a script element ("</" cannot close it). */
    public static String json(Object data) {
        try {
            return JSON.writeValueAsString(data).replace("</", "<\\/");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String page(String title, String css, String body, Object data, String script) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" + escape(title) + "</title>\n"
                + "<style>" + BASE_CSS + css + "</style></head>\n<body>\n" + body + "\n"
                + "<script type=\"application/json\" id=\"data\">" + json(data) + "</script>\n"
                + "<script>\nconst DATA = JSON.parse(document.getElementById('data').textContent);\n" + script + "\n</script>\n"
                + "</body></html>\n";
    }

    public static void write(Path target, String html) {
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(target, ch -> ch.write(ByteBuffer.wrap(bytes)));
    }

    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
