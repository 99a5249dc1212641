package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
