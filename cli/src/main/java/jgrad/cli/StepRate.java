package jgrad.cli;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * Steps per second over the last few seconds of a monotonic clock. An average since the first step
 * would carry the JIT's slow start (and the test evaluation of each epoch) into every later figure,
 * and the first ETA would be minutes for a job of seconds; whole elapsed seconds (the progress
 * library's speed) turn 608 steps in 3.9 s into 202.7 steps/s. No rate is given until the window
 * spans {@link #MIN_SPAN_NANOS}, and no ETA while the loop is still speeding up (the JIT compiling the
 * kernels makes the first steps 10–20× slower: a first step of 0.6 s gave an ETA of 12 min for a run of
 * 10 s, and the ramp lasts seconds): the ETA waits until the window is full and its newer half
 * runs at most {@link #SETTLED} times the pace of its older half.
 */
final class StepRate {
    static final long WINDOW_NANOS = 3_000_000_000L;
    static final long MIN_SPAN_NANOS = 500_000_000L;
    /** Samples kept at most this often, so a fast loop (thousands of steps/s) keeps a short queue. */
    private static final long SAMPLE_NANOS = 50_000_000L;
    static final double SETTLED = 1.3;
    /**
     * The ETA needs a full window: the JIT's ramp is steady for a second at a time (0.2 s a step, then
     * 20 ms, then 1 ms), and a job done in less than this needs no ETA.
     */
    static final long SETTLE_SPAN_NANOS = WINDOW_NANOS;

    private record Sample(long nanos, int step) {}

    private final LongSupplier clock;
    private final ArrayDeque<Sample> window = new ArrayDeque<>();
    /** The first mark (the end of the run's first step), for the mean so far. */
    private Sample first;
    private Sample last;

    StepRate(LongSupplier nanoClock) {
        this.clock = nanoClock;
    }

    StepRate() {
        this(System::nanoTime);
    }

    /** Step {@code step} is done now. */
    void mark(int step) {
        long now = clock.getAsLong();
        last = new Sample(now, step);
        if (first == null) {
            first = last;
        }
        if (window.isEmpty() || now - window.peekLast().nanos() >= SAMPLE_NANOS) {
            window.addLast(last);
        }
        // Keep one sample at or beyond the window's start, so the span stays about WINDOW_NANOS, and three at
        // least, so that slow steps (seconds each) still have two halves to compare.
        while (window.size() > 3 && now - secondOldest().nanos() >= WINDOW_NANOS) {
            window.removeFirst();
        }
    }

    /**
     * Leaves the time since the last step out of the rate: called after an epoch's test evaluation, which
     * would otherwise read as a stall of the loop for the next few seconds. (The ETA so counts training
     * steps only, not the evaluations still to come.)
     */
    void skipPause() {
        if (last == null) {
            return;
        }
        long gap = clock.getAsLong() - last.nanos();
        ArrayDeque<Sample> shifted = new ArrayDeque<>();
        for (Sample s : window) {
            shifted.addLast(new Sample(s.nanos() + gap, s.step()));
        }
        window.clear();
        window.addAll(shifted);
        last = new Sample(last.nanos() + gap, last.step());
        first = new Sample(first.nanos() + gap, first.step());
    }

    private Sample secondOldest() {
        var it = window.iterator();
        it.next();
        return it.next();
    }

    /** Steps per second over the window, or NaN until it spans half a second. */
    double stepsPerSecond() {
        if (last == null || window.isEmpty()) {
            return Double.NaN;
        }
        Sample oldest = window.peekFirst();
        long span = last.nanos() - oldest.nanos();
        return span < MIN_SPAN_NANOS ? Double.NaN : (last.step() - oldest.step()) * 1e9 / span;
    }

    /**
     * The window's rate, or before it spans half a second the mean since the first mark: for a line in a
     * log, which records a figure at its log point rather than waiting for a steady one; NaN before two
     * marks.
     */
    double stepsPerSecondSoFar() {
        double windowed = stepsPerSecond();
        if (!Double.isNaN(windowed) || first == null || last.nanos() == first.nanos()) {
            return windowed;
        }
        return (last.step() - first.step()) * 1e9 / (last.nanos() - first.nanos());
    }

    /** Seconds until step {@code total} at the current rate; NaN without a rate or while it is still rising. */
    double secondsLeft(int total) {
        double rate = stepsPerSecond();
        return Double.isNaN(rate) || rate <= 0 || !settled() ? Double.NaN : (total - last.step()) / rate;
    }

    /** Whether the newer half of the window runs at most SETTLED times as fast as the older half. */
    private boolean settled() {
        Sample oldest = window.peekFirst();
        if (window.size() < 3 || last.nanos() - oldest.nanos() < SETTLE_SPAN_NANOS) {
            return false;
        }
        Sample middle = window.stream().skip(window.size() / 2).findFirst().orElseThrow();
        double older = (middle.step() - oldest.step()) / (double) (middle.nanos() - oldest.nanos());
        double newer = (last.step() - middle.step()) / (double) Math.max(1, last.nanos() - middle.nanos());
        return older > 0 && newer <= SETTLED * older;
    }
}
