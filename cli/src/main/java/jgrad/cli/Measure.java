package jgrad.cli;

import java.util.Arrays;

/**
 * The benchmark timing loop: warm-up (JIT, pools, cuBLAS heuristics), then {@code repeats}
 * samples, each long enough to swamp the timer and launch overheads; every sample ends with the
 * device's synchronize, so queued GPU work is counted. Reports median, min and max per call.
 */
final class Measure {
    /** How long to warm up, the shortest sample, and how many samples. */
    record Budget(double warmupMs, double minSampleMs, int repeats) {
        Budget {
            if (repeats < 1) {
                throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
            }
        }

        /**
         * Full runs: 300 ms warm-up and 50 ms samples; --quick: the same warm-up (a shorter one timed
         * the JIT's compilation as speed: gemm 256³ at 2.6 GFLOP/s against 46.9) and 10 ms samples.
         */
        static Budget of(boolean quick, int repeats) {
            return quick ? new Budget(300, 10, repeats) : new Budget(300, 50, repeats);
        }
    }

    /**
     * Milliseconds per call. {@code settled} is false when the warm-up ended at its cap with the
     * time per call still changing, or when the samples' median is over 1.5× their minimum: the figures then say how long the calls took, not how fast the
     * case runs, and the row says so instead of giving a throughput.
     */
    record Stats(double medianMs, double minMs, double maxMs, int samples, int callsPerSample, boolean settled) {
        Stats(double medianMs, double minMs, double maxMs, int samples, int callsPerSample) {
            this(medianMs, minMs, maxMs, samples, callsPerSample, true);
        }
    }

    /** Calls per sample never exceed this, so a near-zero-cost call cannot loop for long. */
    private static final int MAX_CALLS = 1 << 16;
    /**
     * Warm-up calls at least, however long the budget: the Vector API is only fast once C2 has
     * compiled the kernel, which takes calls, not milliseconds. Warming stops at ten times the
     * budget whatever happens.
     */
    private static final int MIN_WARMUP_CALLS = 10;
    /** A median more than this times the fastest sample marks the case unsettled. */
    private static final double SAMPLE_SPREAD = 1.5;

    private Measure() {}

    static Stats time(Runnable call, Runnable sync, Budget budget) {
        long start = System.nanoTime();
        long warmEnd = start + (long) (budget.warmupMs() * 1e6);
        long warmCap = start + (long) (10 * budget.warmupMs() * 1e6);
        int warm = 0;
        double single;
        do {
            long t0 = System.nanoTime();
            call.run();
            sync.run();
            single = (System.nanoTime() - t0) / 1e6;
            warm++;
        } while (warm < 2 || System.nanoTime() < warmEnd || (warm < MIN_WARMUP_CALLS && System.nanoTime() < warmCap));
        // Then windows of a quarter budget until two in a row agree within 10% (or the cap): on a
        // loaded box C2 can still be compiling after the budget (a first case timed at 5.8 GFLOP/s).
        long window = (long) (budget.warmupMs() * 1e6 / 4);
        double previous = Double.NaN;
        boolean settled = false;
        while (System.nanoTime() < warmCap) {
            long t0 = System.nanoTime();
            int n = 0;
            do {
                call.run();
                n++;
            } while (System.nanoTime() - t0 < window);
            sync.run();
            double perCall = (System.nanoTime() - t0) / 1e6 / n;
            settled = Math.abs(perCall - previous) <= 0.1 * previous;
            single = perCall;
            previous = perCall;
            if (settled) {
                break;
            }
        }
        int calls = (int) Math.min(MAX_CALLS, Math.max(1, Math.ceil(budget.minSampleMs() / Math.max(single, 1e-6))));
        double[] ms = new double[budget.repeats()];
        for (int r = 0; r < ms.length; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                call.run();
            }
            sync.run();
            ms[r] = (System.nanoTime() - t0) / 1e6 / calls;
        }
        Stats measured = stats(ms, calls);
        // Samples that disagree by half again are no steadier than the warm-up: a busy machine.
        boolean steady = settled && measured.medianMs() <= SAMPLE_SPREAD * measured.minMs();
        return new Stats(measured.medianMs(), measured.minMs(), measured.maxMs(), measured.samples(), calls, steady);
    }

    static Stats stats(double[] perCallMs, int calls) {
        if (perCallMs.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] s = perCallMs.clone();
        Arrays.sort(s);
        int mid = s.length / 2;
        double median = s.length % 2 == 1 ? s[mid] : 0.5 * (s[mid - 1] + s[mid]);
        return new Stats(median, s[0], s[s.length - 1], s.length, calls);
    }
}
