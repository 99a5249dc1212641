package jgrad.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jgrad.device.Storage;
import org.junit.jupiter.api.Test;

class FlagNonFiniteTest {
    private static final float CLEAN = Float.POSITIVE_INFINITY;

    private static float flag(float[] x, int n) {
        CpuDevice d = CpuDevice.get();
        Storage xs = d.allocate(x.length);
        Storage flags = d.allocate(1);
        d.copyIn(x, 0, xs, 0, x.length);
        d.copyIn(new float[] {CLEAN}, 0, flags, 0, 1);
        d.ops().flagNonFinite(xs, n, flags, 0, 3f);
        float[] out = new float[1];
        d.copyOut(flags, 0, out, 0, 1);
        return out[0];
    }

    @Test
    void everyPositionOfEveryBadValueIsFoundAndNothingPastN() {
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int n : new int[] {1, 7, 15, 16, 17, 33, 100}) {
            float[] x = new float[n + 1];
            for (int i = 0; i <= n; i++) {
                x[i] = (i % 2 == 0 ? 1 : -1) * Float.MAX_VALUE / (i + 1);  // huge but finite
            }
            assertEquals(CLEAN, flag(x, n), "all finite, n=" + n);
            for (int i = 0; i <= n; i++) {
                for (float b : bad) {
                    float keep = x[i];
                    x[i] = b;
                    assertEquals(i < n ? 3f : CLEAN, flag(x, n), "n=" + n + " " + b + " at " + i);
                    x[i] = keep;
                }
            }
        }
    }
}
