package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MeasureTest {
    @Test
    void statsAreMedianMinMax() {
        Measure.Stats odd = Measure.stats(new double[] {5, 1, 3}, 4);
        assertEquals(3, odd.medianMs());
        assertEquals(1, odd.minMs());
        assertEquals(5, odd.maxMs());
        assertEquals(4, odd.callsPerSample());
        assertEquals(2.5, Measure.stats(new double[] {4, 1, 2, 3}, 1).medianMs());
        assertThrows(IllegalArgumentException.class, () -> Measure.stats(new double[0], 1));
        assertThrows(IllegalArgumentException.class, () -> new Measure.Budget(1, 1, 0));
    }

    @Test
    void everySampleEndsWithASync() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger syncs = new AtomicInteger();
        Measure.Stats s = Measure.time(calls::incrementAndGet, syncs::incrementAndGet, new Measure.Budget(0, 0, 3));
        assertEquals(3, s.samples());
        // with no warm-up time, exactly two warm-up calls, each synced; then three samples of
        // callsPerSample calls and one sync each
        assertEquals(2 + 3 * s.callsPerSample(), calls.get());
        assertEquals(2 + 3, syncs.get());
        assertTrue(s.minMs() <= s.medianMs() && s.medianMs() <= s.maxMs());
    }

    /**
     * A case whose time per call keeps changing (here every other warm-up window takes ten times as long)
     * ends its warm-up unsettled, and its row gives no throughput: --quick once printed such figures
     * (JIT compilation timed as speed) as results.
     */
    @Test
    void aCaseThatNeverSettlesIsMarkedAndGetsNoFigure() {
        AtomicInteger syncs = new AtomicInteger();
        Runnable call = () -> {
            long until = System.nanoTime() + (syncs.get() % 2 == 0 ? 500_000 : 50_000);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        };
        Measure.Stats s = Measure.time(call, syncs::incrementAndGet, new Measure.Budget(40, 1, 2));
        assertFalse(s.settled(), s.toString());
        BenchResult row = BenchResult.measured("ops", "cpu", "cpu", "case", "GB/s", 42.0, s, 100.0, null);
        assertEquals(BenchResult.UNSETTLED, row.status());
        assertNull(row.value());
        assertNull(row.peakFraction());
        String table = BenchCommand.table(List.of(row)).text();
        assertTrue(table.contains("UNSETTLED") && !table.contains("42"), table);

        Measure.Stats steady = new Measure.Stats(1, 1, 1, 2, 10, true);
        BenchResult ok = BenchResult.measured("ops", "cpu", "cpu", "case", "GB/s", 42.0, steady, 100.0, null);
        assertEquals("OK", ok.status());
        assertEquals(0.42, ok.peakFraction(), 1e-12);
    }

    /** Not on a terminal, progress is one line per suite, so a log of both streams has each row once. */
    @Test
    void plainProgressDoesNotRepeatTheRows() {
        StringWriter sw = new StringWriter();
        BenchResult row = BenchResult.skipped("gemm", "cpu", "cpu", "256x256x256", "GFLOP/s", "why");
        try (BenchProgress p = new BenchProgress(new PrintWriter(sw), false)) {
            p.suite("gemm");
            p.done(row);
            p.done(row);
        }
        List<String> lines = sw.toString().lines().toList();
        assertEquals(1, lines.size(), sw.toString());
        assertTrue(lines.get(0).startsWith("bench gemm: 2 cases in "), lines.get(0));
        assertFalse(sw.toString().contains("256x256x256"), sw.toString());
    }
}
