package dev.loupe.train;

/**
 * SplitMix64: tiny, fast, specified bit for bit (so runs reproduce on any JVM), and its whole state is one
 * long, which is what a checkpoint needs to resume the exact same stream.
 */
public final class SplitMix64 {
    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    public long state() {
        return state;
    }

    public void setState(long s) {
        state = s;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, n). */
    public int nextInt(int n) {
        return (int) Math.floorMod(nextLong(), (long) n);
    }

    /** Standard normal by Box-Muller (one value per two draws: simple and reproducible beats fast here). */
    public double nextGaussian() {
        double u = 1.0 - nextDouble(), v = nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
