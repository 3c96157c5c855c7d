package dev.loupe.eval.backend;

import java.time.Duration;

/**
 * How politely to talk to a server.
 *
 * @param maxRetries        attempts after the first, on connection errors, 429 and 5xx
 * @param initialBackoff    first wait; doubles per attempt up to {@code maxBackoff} (a Retry-After header wins)
 * @param requestsPerSecond at most this many request starts per second; 0 or below is unlimited
 */
public record HttpPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff, double requestsPerSecond, Duration timeout) {
    public static HttpPolicy defaults() {
        return new HttpPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(30), 0, Duration.ofMinutes(5));
    }
}
