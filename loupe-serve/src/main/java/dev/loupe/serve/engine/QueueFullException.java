package dev.loupe.serve.engine;

/** More requests are waiting than the server accepts; the client should retry later (HTTP 429). */
public final class QueueFullException extends RuntimeException {
    public QueueFullException(int waiting) {
        super("the server is busy: " + waiting + " requests are already waiting; retry later");
    }
}
