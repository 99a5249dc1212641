package jgrad.cpu;

import static jgrad.cpu.CpuConvKernelsTest.assertClose;
import static jgrad.cpu.CpuConvKernelsTest.download;
import static jgrad.cpu.CpuConvKernelsTest.upload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import jgrad.device.DeviceOps;
import jgrad.device.Pool2dGeometry;
import jgrad.device.Storage;
import org.junit.jupiter.api.Test;

/** Max and average pooling against direct loops, ties and padding included. */
class CpuPoolKernelsTest {
    private static final CpuDevice CPU = CpuDevice.get();
    private static final DeviceOps OPS = CPU.ops();

    static final List<Pool2dGeometry> GEOMETRIES = List.of(
            Pool2dGeometry.of(1, 1, 4, 4, 2, 2, 0),
            Pool2dGeometry.of(2, 3, 7, 7, 3, 2, 1),
            new Pool2dGeometry(3, 2, 9, 6, 3, 2, 2, 1, 1, 0),
            new Pool2dGeometry(1, 2, 5, 8, 2, 4, 1, 3, 1, 2),
            Pool2dGeometry.of(2, 2, 5, 5, 3, 1, 1),
            Pool2dGeometry.global(3, 4, 5, 3));

    /** Values from a small set, so windows often hold several equal maxima; all negative half the time. */
    static float[] tied(long seed, int n, boolean negative) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(4) - (negative ? 6f : 0f);
        }
        return v;
    }

    static double[] zeros(int n) {
        return new double[n];
    }

    @Test
    void maxPoolMatchesDirectLoopsWithTiesAndNegativeInputs() {
        int seed = 0;
        for (Pool2dGeometry g : GEOMETRIES) {
            for (boolean negative : new boolean[] {false, true}) {
                float[] x = tied(++seed, g.inputNumel(), negative);
                float[] dy = CpuConvKernelsTest.random(++seed, g.outputNumel());
                float[] old = CpuConvKernelsTest.random(++seed, g.inputNumel());
                double[] refY = ConvReference.maxForward(g, x);
                double[] refDx = ConvReference.maxBackward(g, x, dy);
                for (double v : refY) {
                    assertTrue(!negative || v < 0, "padding never wins: " + g);
                }
                for (boolean acc : new boolean[] {false, true}) {
                    try (Storage xs = upload(x); Storage ys = CPU.allocate(g.outputNumel()); Storage dys = upload(dy);
                         Storage dxs = upload(old)) {
                        OPS.maxPool2dForward(g, xs, ys);
                        assertClose(g + " max y", refY, zeros(refY.length), download(ys), 0);
                        OPS.maxPool2dBackward(g, xs, ys, dys, dxs, acc);
                        double[] want = acc ? CpuConvKernelsTest.plus(refDx, old) : refDx;
                        assertClose(g + " max dx accumulate=" + acc, want, abs(want), download(dxs), 1e-6);
                    }
                }
            }
        }
    }

    static double[] abs(double[] v) {
        double[] a = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = Math.abs(v[i]) * 4; // a few float additions of terms of this size
        }
        return a;
    }

    @Test
    void maxPoolRoutesTheGradientToTheFirstMaximum() {
        // One 2x2 window holding 5 twice: row-major order makes (0,1) the first maximum.
        Pool2dGeometry g = Pool2dGeometry.of(1, 1, 2, 2, 2, 2, 0);
        try (Storage x = upload(new float[] {1, 5, 5, 2}); Storage y = CPU.allocate(1);
             Storage dy = upload(new float[] {3}); Storage dx = CPU.allocate(4)) {
            OPS.maxPool2dForward(g, x, y);
            OPS.maxPool2dBackward(g, x, y, dy, dx, false);
            assertArrayEquals(new float[] {0, 3, 0, 0}, download(dx));
        }
    }

    @Test
    void avgPoolMatchesDirectLoopsAndDividesByTheWholeWindow() {
        int seed = 50;
        for (Pool2dGeometry g : GEOMETRIES) {
            float[] x = CpuConvKernelsTest.random(++seed, g.inputNumel());
            float[] dy = CpuConvKernelsTest.random(++seed, g.outputNumel());
            float[] old = CpuConvKernelsTest.random(++seed, g.inputNumel());
            double[] refY = ConvReference.avgForward(g, x);
            double[] magY = ConvReference.avgForward(g, CpuConvKernelsTest.abs(x));
            double[] refDx = ConvReference.avgBackward(g, dy);
            double[] magDx = ConvReference.avgBackward(g, CpuConvKernelsTest.abs(dy));
            for (boolean acc : new boolean[] {false, true}) {
                try (Storage xs = upload(x); Storage ys = CPU.allocate(g.outputNumel()); Storage dys = upload(dy);
                     Storage dxs = upload(old)) {
                    OPS.avgPool2dForward(g, xs, ys);
                    assertClose(g + " avg y", refY, magY, download(ys), 1e-6);
                    OPS.avgPool2dBackward(g, dys, dxs, acc);
                    assertClose(g + " avg dx accumulate=" + acc, acc ? CpuConvKernelsTest.plus(refDx, old) : refDx,
                            acc ? CpuConvKernelsTest.plusAbs(magDx, old) : magDx, download(dxs), 1e-6);
                }
            }
        }
        // A corner window with padding: 1 real value of 4 cells, so y = x / 4.
        Pool2dGeometry corner = Pool2dGeometry.of(1, 1, 1, 1, 2, 1, 1);
        try (Storage x = upload(new float[] {8}); Storage y = CPU.allocate(corner.outputNumel())) {
            OPS.avgPool2dForward(corner, x, y);
            assertArrayEquals(new float[] {2, 2, 2, 2}, download(y));
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Pool2dGeometry g = Pool2dGeometry.of(8, 16, 14, 14, 3, 2, 1);
        float[] x = CpuConvKernelsTest.random(7, g.inputNumel());
        float[] dy = CpuConvKernelsTest.random(8, g.outputNumel());
        float[][][] results = new float[2][][];
        int[] threads = {1, 3};
        for (int t = 0; t < 2; t++) {
            int slot = t;
            Parallel.withThreads(threads[t], () -> {
                try (Storage xs = upload(x); Storage dys = upload(dy); Storage ys = CPU.allocate(g.outputNumel());
                     Storage dxs = CPU.allocate(g.inputNumel()); Storage ax = CPU.allocate(g.inputNumel())) {
                    OPS.maxPool2dForward(g, xs, ys);
                    OPS.maxPool2dBackward(g, xs, ys, dys, dxs, false);
                    OPS.avgPool2dBackward(g, dys, ax, false);
                    results[slot] = new float[][] {download(ys), download(dxs), download(ax)};
                }
            });
        }
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(results[0][i], results[1][i], "output " + i);
        }
    }

    @Test
    void badGeometryAndShortBuffersAreRejectedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pool2dGeometry.of(1, 1, 4, 4, 2, 2, 2));
        assertTrue(e.getMessage().contains("at most half the kernel"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pool2dGeometry.of(1, 1, 2, 2, 3, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Pool2dGeometry.of(1, 1, 4, 4, 2, 0, 0));
        Pool2dGeometry g = Pool2dGeometry.of(1, 2, 4, 4, 2, 2, 0);
        try (Storage x = CPU.allocate(31); Storage y = CPU.allocate(8)) {
            e = assertThrows(IllegalArgumentException.class, () -> OPS.maxPool2dForward(g, x, y));
            assertTrue(e.getMessage().contains("x has 31 elements") && e.getMessage().contains("needs 32"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> OPS.avgPool2dBackward(g, y, x, false));
            assertTrue(e.getMessage().contains("dx has 31 elements"), e.getMessage());
        }
    }
}
