package dev.loupe.serve.http;

import io.javalin.http.Context;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Notices a client that hung up while its request is still being worked on. Jetty does not read a connection while
 * a request on it is being handled, so a closed socket goes unseen until the response is written, which for a
 * non-streamed generation is at its very end. This probe reads the socket itself, at most once per
 * {@link #INTERVAL_NANOS}: end-of-stream or a reset means the client is gone. A client that already sent its next
 * request (HTTP pipelining, which no common client does) would have a byte taken, so then the probe stops and the
 * response asks to close the connection, and the client resends on a new one.
 * <p>
 * The handler's thread finds its request's probe through {@link #current()}: a before-handler attaches it, so the
 * API classes need not pass it along.
 */
final class ClientConnection {
    static final long INTERVAL_NANOS = 100_000_000L;

    /** The client hung up: nobody to answer, nothing to log. */
    static final class GoneException extends RuntimeException {
        GoneException() {
            super("the client closed the connection", null, false, false);
        }
    }
    private static final ThreadLocal<ClientConnection> CURRENT = new ThreadLocal<>();
    private static final ClientConnection UNKNOWN = new ClientConnection(null, null);

    private final SocketChannel channel;
    private final Context ctx;
    private final ByteBuffer probe = ByteBuffer.allocate(1);
    private long lastCheck;
    private boolean gone;

    private ClientConnection(SocketChannel channel, Context ctx) {
        this.channel = channel;
        this.ctx = ctx;
    }

    /** Makes {@code ctx}'s connection the current thread's (called before each request's handler). */
    static void attach(Context ctx) {
        CURRENT.set(of(ctx));
    }

    static void detach() {
        CURRENT.remove();
    }

    /** The probe of the request the current thread handles; one that never reports a hang-up if there is none. */
    static ClientConnection current() {
        ClientConnection c = CURRENT.get();
        return c != null ? c : UNKNOWN;
    }

    private static ClientConnection of(Context ctx) {
        try {
            EndPoint ep = ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData().getConnection().getEndPoint();
            if (ep instanceof SocketChannelEndPoint s) return new ClientConnection(s.getChannel(), ctx);
        } catch (RuntimeException e) {
            // Not a plain socket connection (a test harness, another transport): nothing to probe.
        }
        return UNKNOWN;
    }

    /** Whether the client has closed its side of the connection (checked at most every {@link #INTERVAL_NANOS}). */
    boolean gone() {
        if (channel == null || gone) return gone;
        long now = System.nanoTime();
        if (now - lastCheck < INTERVAL_NANOS) return false;
        lastCheck = now;
        try {
            probe.clear();
            int n = channel.read(probe);
            if (n < 0) gone = true;
            if (n > 0) stopProbing();
        } catch (IOException e) {
            gone = true;
        } catch (RuntimeException e) {
            stopProbing(); // e.g. the channel is in blocking mode after all: leave it to Jetty
        }
        return gone;
    }

    private void stopProbing() {
        ctx.header("Connection", "close");
        lastCheck = Long.MAX_VALUE / 2;
    }
}
