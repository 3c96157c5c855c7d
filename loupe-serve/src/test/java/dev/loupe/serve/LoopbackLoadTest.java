package dev.loupe.serve;

import dev.loupe.serve.LoadScenario.Kind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded load test on 127.0.0.1 (see {@link LoadScenario}; {@code LoadScenario.main} is the longer variant of a few
 * thousand): 400 requests of every kind, well-formed, slow, dropped and broken. The server must answer every well-formed
 * one with a 200, refuse the broken ones with a 4xx (never a 500 or a hang), and end with no sequence running, no
 * KV block held and the heap where it started.
 */
class LoopbackLoadTest {
    static final int CLIENTS = 16;
    static final int REQUESTS_PER_CLIENT = 25;

    @Test
    void survivesMixedTrafficSlowClientsAndDroppedConnections() throws Exception {
        try (TestServer server = new TestServer(TestServer.options().withParallel(4).withMaxQueue(256))) {
            new LoadScenario(server).run(4, 10); // warm up: JIT, pools, the prefix cache
            server.awaitMetric("loupe_active_sequences", 0, Duration.ofSeconds(30));
            long heapBefore = usedHeapAfterGc();

            LoadScenario load = new LoadScenario(server);
            load.run(CLIENTS, REQUESTS_PER_CLIENT);
            Map<Kind, ?> statuses = load.statuses;
            assertThat(load.requests.get()).isEqualTo(CLIENTS * REQUESTS_PER_CLIENT);
            for (Kind k : new Kind[]{Kind.COMPLETION, Kind.STREAM, Kind.OLLAMA, Kind.SLOW_SENDER, Kind.SLOW_READER}) {
                assertThat(load.statuses.get(k).keySet()).as("%s: %s", k, statuses).containsOnly(200);
            }
            for (Kind k : new Kind[]{Kind.MALFORMED, Kind.WRONG_TYPE}) {
                assertThat(load.statuses.get(k).keySet()).as("%s: %s", k, statuses).containsOnly(400);
            }
            assertThat(load.statuses.get(Kind.OVERSIZED).keySet()).as("%s", statuses).isSubsetOf(413, -1);
            assertThat(load.count(Kind.OVERSIZED, 413)).isPositive();

            server.awaitMetric("loupe_active_sequences", 0, Duration.ofSeconds(30));
            server.awaitMetric("loupe_queue_length", 0, Duration.ofSeconds(5));
            server.awaitMetric("loupe_kv_blocks_used", 0, Duration.ofSeconds(5));
            int dropped = load.count(Kind.DROP_STREAM, LoadScenario.HUNG_UP) + load.count(Kind.HANG_UP, LoadScenario.HUNG_UP);
            assertThat(server.metric("loupe_requests_cancelled_total")).as("of %d dropped", dropped).isPositive();
            assertThat(server.post("/v1/completions", Map.of("prompt", "Hi", "max_tokens", 2)).status()).isEqualTo(200);

            long heapAfter = usedHeapAfterGc();
            assertThat(heapAfter - heapBefore).as("heap grew from %d MB to %d MB", heapBefore >> 20, heapAfter >> 20)
                    .isLessThan(48L << 20);
        }
    }

    static long usedHeapAfterGc() throws InterruptedException {
        Runtime r = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return r.totalMemory() - r.freeMemory();
    }
}
