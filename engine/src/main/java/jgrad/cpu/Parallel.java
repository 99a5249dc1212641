package jgrad.cpu;

// TEMPORARY placeholder until the real implementation lands.
public final class Parallel {
    private Parallel() {}
    public static int threads() { return Runtime.getRuntime().availableProcessors(); }
    public static void forRange(int n, int minChunk, Body body) { if (n > 0) body.run(0, n); }
    @FunctionalInterface public interface Body { void run(int from, int to); }
}
