package dev.loupe.serve.engine;

/** A Prometheus histogram with fixed buckets; cumulative counts are produced when rendered. Thread-safe. */
final class Histogram {
    private final double[] bounds;
    private final long[] counts;
    private long count;
    private double sum;

    Histogram(double[] bounds) {
        this.bounds = bounds.clone();
        this.counts = new long[bounds.length];
    }

    synchronized void observe(double v) {
        for (int i = 0; i < bounds.length; i++) {
            if (v <= bounds[i]) {
                counts[i]++;
                break;
            }
        }
        count++;
        sum += v;
    }

    synchronized void render(StringBuilder b, String name, String help) {
        Metrics.header(b, name, help, "histogram");
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += counts[i];
            b.append(name).append("_bucket{le=\"").append(Metrics.format(bounds[i])).append("\"} ").append(cumulative).append('\n');
        }
        b.append(name).append("_bucket{le=\"+Inf\"} ").append(count).append('\n');
        b.append(name).append("_sum ").append(Metrics.format(sum)).append('\n');
        b.append(name).append("_count ").append(count).append('\n');
    }
}
