package jgrad.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import jgrad.device.Conv2dGeometry;
import jgrad.device.DeviceOps;
import jgrad.device.Storage;
import org.junit.jupiter.api.Test;

/** conv2d forward and both backwards against direct loops in double, over awkward geometries. */
class CpuConvKernelsTest {
    private static final CpuDevice CPU = CpuDevice.get();
    private static final DeviceOps OPS = CPU.ops();

    /** Odd sizes, stride 2, padding, non-square kernels, strides and paddings, batch 1, 1×1 kernels, same padding. */
    static final List<Conv2dGeometry> GEOMETRIES = List.of(
            Conv2dGeometry.of(1, 1, 5, 5, 1, 3, 1, 0),
            Conv2dGeometry.of(2, 3, 7, 7, 4, 3, 2, 1),
            new Conv2dGeometry(3, 2, 9, 6, 5, 3, 2, 2, 1, 1, 0),
            new Conv2dGeometry(2, 3, 6, 9, 2, 2, 5, 1, 2, 0, 2),
            Conv2dGeometry.of(1, 4, 8, 8, 6, 1, 2, 0),
            Conv2dGeometry.of(5, 2, 4, 4, 3, 7, 2, 3),
            Conv2dGeometry.of(4, 1, 28, 28, 30, 5, 1, 0),
            // "same" padding at stride 1 (the contiguous im2col path), square and not
            Conv2dGeometry.of(3, 2, 6, 5, 3, 3, 1, 1),
            new Conv2dGeometry(2, 2, 5, 7, 3, 3, 5, 1, 1, 1, 2),
            // planes of whole vectors and more, several images per group (the vector path's edges)
            Conv2dGeometry.of(7, 3, 7, 7, 4, 3, 1, 1),
            Conv2dGeometry.of(3, 2, 4, 4, 3, 3, 1, 1),
            Conv2dGeometry.of(2, 2, 9, 9, 3, 5, 1, 2),
            // taps that only ever read padding (left out of the GEMMs): ResNet-18's last stage on MNIST
            Conv2dGeometry.of(3, 4, 1, 1, 5, 3, 1, 1),
            Conv2dGeometry.of(2, 3, 2, 2, 4, 3, 2, 1));

    static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    static Storage upload(float[] v) {
        Storage s = CPU.allocate(v.length);
        CPU.copyIn(v, 0, s, 0, v.length);
        return s;
    }

    static float[] download(Storage s) {
        float[] v = new float[s.numel()];
        CPU.copyOut(s, 0, v, 0, v.length);
        return v;
    }

    static float[] abs(float[] v) {
        float[] a = v.clone();
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.abs(a[i]);
        }
        return a;
    }

    /**
     * |got − ref| ≤ rtol·mag + 1e-6 per element, where mag is the same sum over absolute values: a
     * float32 sum of n terms is off by about n·eps relative to that, whatever cancels.
     */
    static void assertClose(String what, double[] ref, double[] mag, float[] got, double rtol) {
        for (int i = 0; i < ref.length; i++) {
            double tol = rtol * mag[i] + 1e-6;
            if (!(Math.abs(got[i] - ref[i]) <= tol)) {
                fail(what + ": element " + i + " is " + got[i] + ", reference " + ref[i] + " (tolerance " + tol + ")");
            }
        }
    }

    static double[] plus(double[] a, float[] b) {
        double[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += b[i];
        }
        return out;
    }

    static double[] plusAbs(double[] a, float[] b) {
        double[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += Math.abs(b[i]);
        }
        return out;
    }

    @Test
    void forwardMatchesDirectLoops() {
        int seed = 0;
        for (Conv2dGeometry g : GEOMETRIES) {
            for (boolean withBias : new boolean[] {false, true}) {
                float[] x = random(++seed, g.inputNumel());
                float[] w = random(++seed, g.weightNumel());
                float[] b = withBias ? random(++seed, g.outChannels()) : null;
                double[] ref = ConvReference.forward(g, x, w, b);
                double[] mag = ConvReference.forward(g, abs(x), abs(w), b == null ? null : abs(b));
                for (int group : new int[] {0, 1, 2}) { // 0: the kernel's own choice
                    try (Storage xs = upload(x); Storage ws = upload(w); Storage bs = b == null ? null : upload(b);
                         Storage ys = CPU.allocate(g.outputNumel())) {
                        if (group == 0) {
                            OPS.conv2dForward(g, xs, ws, bs, ys);
                        } else {
                            new CpuConvKernels(CPU.allocator()).forward(g, xs, ws, bs, ys, group);
                        }
                        assertClose(g + " bias=" + withBias + " group=" + group, ref, mag, download(ys), 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void backwardDataMatchesDirectLoopsWithAndWithoutAccumulate() {
        int seed = 100;
        for (Conv2dGeometry g : GEOMETRIES) {
            float[] dy = random(++seed, g.outputNumel());
            float[] w = random(++seed, g.weightNumel());
            float[] old = random(++seed, g.inputNumel());
            double[] ref = ConvReference.backwardData(g, dy, w);
            double[] mag = ConvReference.backwardData(g, abs(dy), abs(w));
            for (int group : new int[] {0, 1, 2}) {
                for (boolean acc : new boolean[] {false, true}) {
                    try (Storage dys = upload(dy); Storage ws = upload(w); Storage dxs = upload(old)) {
                        if (group == 0) {
                            OPS.conv2dBackwardData(g, dys, ws, dxs, acc);
                        } else {
                            new CpuConvKernels(CPU.allocator()).backwardData(g, dys, ws, dxs, acc, group);
                        }
                        String what = g + " dx accumulate=" + acc + " group=" + group;
                        assertClose(what, acc ? plus(ref, old) : ref, acc ? plusAbs(mag, old) : mag, download(dxs), 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void backwardFilterMatchesDirectLoopsWithAndWithoutAccumulate() {
        int seed = 200;
        for (Conv2dGeometry g : GEOMETRIES) {
            float[] x = random(++seed, g.inputNumel());
            float[] dy = random(++seed, g.outputNumel());
            float[] oldW = random(++seed, g.weightNumel());
            float[] oldB = random(++seed, g.outChannels());
            double[] ref = ConvReference.backwardFilter(g, x, dy);
            double[] mag = ConvReference.backwardFilter(g, abs(x), abs(dy));
            double[] refB = ConvReference.biasGradient(g, dy);
            double[] magB = ConvReference.biasGradient(g, abs(dy));
            for (int group : new int[] {0, 1, 2}) {
                for (boolean acc : new boolean[] {false, true}) {
                    for (boolean withBias : new boolean[] {false, true}) {
                        try (Storage xs = upload(x); Storage dys = upload(dy); Storage dws = upload(oldW);
                             Storage dbs = withBias ? upload(oldB) : null) {
                            if (group == 0) {
                                OPS.conv2dBackwardFilter(g, xs, dys, dws, dbs, acc);
                            } else {
                                new CpuConvKernels(CPU.allocator()).backwardFilter(g, xs, dys, dws, dbs, acc, group);
                            }
                            String what = g + " dw accumulate=" + acc + " group=" + group;
                            assertClose(what, acc ? plus(ref, oldW) : ref, acc ? plusAbs(mag, oldW) : mag, download(dws),
                                    3e-5);
                            if (withBias) {
                                assertClose(what + " dbias", acc ? plus(refB, oldB) : refB,
                                        acc ? plusAbs(magB, oldB) : magB, download(dbs), 1e-6);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Same inputs, 1 and 3 threads: the same bits (big enough that SGEMM and the copies go parallel). */
    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Conv2dGeometry g = Conv2dGeometry.of(16, 16, 14, 14, 32, 3, 1, 1);
        float[] x = random(1, g.inputNumel());
        float[] w = random(2, g.weightNumel());
        float[] b = random(3, g.outChannels());
        float[] dy = random(4, g.outputNumel());
        Function<Integer, float[][]> run = threads -> {
            float[][] out = new float[4][];
            Parallel.withThreads(threads, () -> {
                try (Storage xs = upload(x); Storage ws = upload(w); Storage bs = upload(b); Storage dys = upload(dy);
                     Storage ys = CPU.allocate(g.outputNumel()); Storage dxs = CPU.allocate(g.inputNumel());
                     Storage dws = CPU.allocate(g.weightNumel()); Storage dbs = CPU.allocate(g.outChannels())) {
                    OPS.conv2dForward(g, xs, ws, bs, ys);
                    OPS.conv2dBackwardData(g, dys, ws, dxs, false);
                    OPS.conv2dBackwardFilter(g, xs, dys, dws, dbs, false);
                    out[0] = download(ys);
                    out[1] = download(dxs);
                    out[2] = download(dws);
                    out[3] = download(dbs);
                }
            });
            return out;
        };
        float[][] one = run.apply(1);
        float[][] three = run.apply(3);
        for (int i = 0; i < one.length; i++) {
            assertArrayEquals(one[i], three[i], "output " + i + " differs between 1 and 3 threads");
        }
    }

    /**
     * With many small groups whole groups go to threads (each with its own scratch, and dW summed
     * over groups in group order): still the same bits on 1, 2 and 3 threads, for both copy paths.
     */
    @Test
    void groupsSpreadOverThreadsGiveTheSameBits() {
        for (Conv2dGeometry g : List.of(Conv2dGeometry.of(13, 6, 7, 7, 8, 3, 1, 1),
                Conv2dGeometry.of(13, 5, 7, 7, 6, 3, 2, 1))) {
            float[] x = random(11, g.inputNumel());
            float[] w = random(12, g.weightNumel());
            float[] b = random(13, g.outChannels());
            float[] dy = random(14, g.outputNumel());
            float[] old = random(15, g.inputNumel());
            Function<Integer, float[][]> run = threads -> {
                float[][] out = new float[4][];
                Parallel.withThreads(threads, () -> {
                    CpuConvKernels kernels = new CpuConvKernels(CPU.allocator());
                    try (Storage xs = upload(x); Storage ws = upload(w); Storage bs = upload(b);
                         Storage dys = upload(dy); Storage dxs = upload(old);
                         Storage ys = CPU.allocate(g.outputNumel());
                         Storage dws = CPU.allocate(g.weightNumel()); Storage dbs = CPU.allocate(g.outChannels())) {
                        kernels.forward(g, xs, ws, bs, ys, 2);
                        kernels.backwardData(g, dys, ws, dxs, true, 2);
                        kernels.backwardFilter(g, xs, dys, dws, dbs, false, 2);
                        out[0] = download(ys);
                        out[1] = download(dxs);
                        out[2] = download(dws);
                        out[3] = download(dbs);
                    }
                });
                return out;
            };
            float[][] one = run.apply(1);
            for (int threads : new int[] {2, 3}) {
                float[][] many = run.apply(threads);
                for (int i = 0; i < one.length; i++) {
                    assertArrayEquals(one[i], many[i],
                            g + ": output " + i + " differs between 1 and " + threads + " threads");
                }
            }
        }
    }

    @Test
    void liveTapsLeaveOutTapsThatOnlyReadPadding() {
        assertArrayEquals(new int[] {4}, Im2col.liveTaps(Conv2dGeometry.of(1, 1, 1, 1, 1, 3, 1, 1)));
        assertArrayEquals(new int[] {4, 5, 7, 8}, Im2col.liveTaps(Conv2dGeometry.of(1, 1, 2, 2, 1, 3, 2, 1)));
        assertEquals(9, Im2col.liveTaps(Conv2dGeometry.of(1, 1, 7, 7, 1, 3, 1, 1)).length);
    }

    @Test
    void badGeometryAndShortBuffersAreRejectedWithTheReason() {
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> Conv2dGeometry.of(1, 1, 4, 4, 1, 7, 1, 1));
        assertTrue(big.getMessage().contains("larger than padded input 6x6"), big.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Conv2dGeometry.of(1, 1, 4, 4, 1, 3, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Conv2dGeometry.of(0, 1, 4, 4, 1, 3, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Conv2dGeometry.of(1, 1, 4, 4, 1, 3, 1, -1));

        Conv2dGeometry g = Conv2dGeometry.of(2, 3, 5, 5, 4, 3, 1, 1);
        try (Storage x = CPU.allocate(g.inputNumel() - 1); Storage w = CPU.allocate(g.weightNumel());
             Storage y = CPU.allocate(g.outputNumel()); Storage shortBias = CPU.allocate(3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OPS.conv2dForward(g, x, w, null, y));
            assertTrue(e.getMessage().contains("x has 149 elements") && e.getMessage().contains("needs 150"),
                    e.getMessage());
            try (Storage fullX = CPU.allocate(g.inputNumel())) {
                e = assertThrows(IllegalArgumentException.class, () -> OPS.conv2dForward(g, fullX, w, shortBias, y));
                assertTrue(e.getMessage().contains("bias has 3 elements"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> OPS.conv2dBackwardFilter(g, fullX, y, shortBias, null, false));
                assertTrue(e.getMessage().contains("dweight has 3 elements"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> OPS.conv2dBackwardData(g, shortBias, w, fullX, false));
                assertTrue(e.getMessage().contains("dy has 3 elements"), e.getMessage());
            }
        }
    }
}
