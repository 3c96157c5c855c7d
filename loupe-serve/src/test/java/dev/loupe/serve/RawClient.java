package dev.loupe.serve;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare HTTP/1.1 connection, for what HttpClient hides: reading a stream line by line and then dropping the
 * connection mid-response, as a client that goes away does.
 */
final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;

    RawClient(int port, String path, String json) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Reads lines until one contains {@code text}; returns it. */
    String readUntil(String text) throws IOException {
        for (String line; (line = in.readLine()) != null; ) if (line.contains(text)) return line;
        throw new IOException("the stream ended before '" + text + "'");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
