package dev.loupe.serve.engine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The default KV budget's memory figure: /proc/meminfo's MemAvailable, in bytes. */
class KvBudgetMemoryTest {
    @Test
    void readsMemAvailableInBytes() {
        List<String> meminfo = List.of("MemTotal:       24590184 kB", "MemFree:        19338116 kB", "MemAvailable:   23011524 kB",
                "Buffers:          123456 kB");
        assertThat(KvBudget.memAvailable(meminfo)).isEqualTo(23011524L * 1024);
        assertThat(KvBudget.memAvailable(List.of("MemTotal: 1 kB"))).isEqualTo(-1);
    }

    @Test
    void availableMemoryIsPositiveAndBelowTheMachinesTotal() {
        long available = KvBudget.availableMemory();
        long total = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        assertThat(available).isPositive().isLessThanOrEqualTo(total);
    }
}
