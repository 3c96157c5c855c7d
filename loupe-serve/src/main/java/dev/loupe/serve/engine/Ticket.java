package dev.loupe.serve.engine;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A handler's side of one submitted generation: it reads {@link Event}s as the scheduler produces them and can
 * cancel (a client that went away). Thread-safe: the scheduler thread writes, one handler thread reads.
 */
public final class Ticket {
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Runnable wakeScheduler;
    private volatile boolean cancelled;

    Ticket(Runnable wakeScheduler) {
        this.wakeScheduler = wakeScheduler;
    }

    /** The next event, waiting at most {@code millis}; null on timeout. */
    public Event next(long millis) throws InterruptedException {
        return events.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Asks the scheduler to drop this sequence and free its slot at its next step. Idempotent. */
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            wakeScheduler.run();
        }
    }

    public boolean cancelled() {
        return cancelled;
    }

    void emit(Event e) {
        events.add(e);
    }
}
