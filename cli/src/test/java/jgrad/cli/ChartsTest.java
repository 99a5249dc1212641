package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path dir;

    /** A decaying, noisy loss curve like a real classifier's, with a few spikes. */
    static float[] sampleLoss(int n, long seed) {
        Random rnd = new Random(seed);
        float[] loss = new float[n];
        for (int i = 0; i < n; i++) {
            double base = 0.08 + 2.22 * Math.exp(-i / (n / 8.0));
            double noise = rnd.nextGaussian() * 0.12 * Math.sqrt(base);
            double spike = rnd.nextInt(500) == 0 ? rnd.nextDouble() * 1.5 : 0.0;
            loss[i] = (float) Math.max(0.001, base + noise + spike);
        }
        return loss;
    }

    private static void assertPng(Path png) throws IOException {
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, 8), "PNG signature");
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "ImageIO could not decode " + png);
        assertEquals(Charts.WIDTH, img.getWidth());
        assertEquals(Charts.HEIGHT, img.getHeight());
        // Not a blank canvas: some pixels differ from the top-left (background) colour.
        int bg = img.getRGB(0, 0);
        long different = 0;
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                if (img.getRGB(x, y) != bg) {
                    different++;
                }
            }
        }
        assertTrue(different > 200, "image looks blank: " + different + " non-background samples");
    }

    private void assertNoTempFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void lossCurveRendersLargeRunQuickly() throws IOException {
        Path warm = dir.resolve("warm.png");
        Charts.lossCurve(warm, sampleLoss(1000, 1), "warm-up"); // pay AWT/font start-up once
        float[] loss = sampleLoss(100_000, 42);
        Path png = dir.resolve("loss.png");
        long t0 = System.nanoTime();
        Charts.lossCurve(png, loss, "training loss - mlp on mnist, cpu");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("lossCurve: 100000 steps rendered and written in %d ms%n", ms);
        assertPng(png);
        assertNoTempFiles();
        // "Well under a second" on a dev machine; the bound is loose for slow shared CI runners.
        assertTrue(ms < 2000, "rendering 100k steps took " + ms + " ms");
    }

    @Test
    void lossCurveHandlesTinyAndDivergedRuns() throws IOException {
        Path one = dir.resolve("one.png");
        Charts.lossCurve(one, new float[] {2.3f}, "one step");
        assertPng(one);

        float[] diverged = sampleLoss(5000, 7);
        for (int i = 4000; i < diverged.length; i++) {
            diverged[i] = i % 2 == 0 ? Float.NaN : Float.POSITIVE_INFINITY;
        }
        Path png = dir.resolve("diverged.png");
        Charts.lossCurve(png, diverged, "diverged");
        assertPng(png);

        assertThrows(IllegalArgumentException.class, () -> Charts.lossCurve(dir.resolve("x.png"), new float[0], "t"));
        Path allNaN = dir.resolve("nan.png");
        Charts.lossCurve(allNaN, new float[] {Float.NaN, Float.NaN, Float.NaN}, "all NaN");
        assertPng(allNaN);
    }

    @Test
    void lineChartRendersSeveralSeries() throws IOException {
        int epochs = 20;
        double[] x = new double[epochs];
        double[] train = new double[epochs];
        double[] test = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            x[e] = e + 1;
            train[e] = 1 - 0.9 * Math.exp(-e / 3.0);
            test[e] = 1 - 0.92 * Math.exp(-e / 3.5);
        }
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("train accuracy", new double[][] {x, train});
        series.put("test accuracy", new double[][] {x, test});
        Path png = dir.resolve("acc.png");
        Charts.lineChart(png, "accuracy - mlp on mnist", "epoch", "accuracy", series);
        assertPng(png);

        Map<String, double[][]> bad = Map.of("s", new double[][] {{1, 2}, {1}});
        assertThrows(IllegalArgumentException.class,
                () -> Charts.lineChart(dir.resolve("bad.png"), "t", "x", "y", bad));
    }

    @Test
    void barChartRendersGroups() throws IOException {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("cpu", new double[] {812.5, 95.1, 1210.0});
        series.put("gpu (H100)", new double[] {14.2, 3.9, 20.4});
        Path png = dir.resolve("bars.png");
        Charts.barChart(png, "time per epoch", "seconds", List.of("mlp", "cnn", "transformer"), series);
        assertPng(png);

        assertThrows(IllegalArgumentException.class, () -> Charts.barChart(dir.resolve("b.png"), "t", "y",
                List.of("a", "b"), Map.of("s", new double[] {1})));
    }

    @Test
    void downsamplingKeepsEnvelopeAndEnds() {
        double[] xs = new double[10_000];
        double[] ys = new double[10_000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = i;
            ys[i] = Math.sin(i);
        }
        ys[1234] = 50;
        ys[8765] = -50;
        double[][] mm = Charts.minMaxDownsample(xs, ys, 200);
        assertTrue(mm[0].length <= 200);
        assertEquals(50, Arrays.stream(mm[1]).max().orElseThrow());
        assertEquals(-50, Arrays.stream(mm[1]).min().orElseThrow());
        for (int i = 1; i < mm[0].length; i++) {
            assertTrue(mm[0][i] > mm[0][i - 1], "x stays increasing");
        }
        double[][] st = Charts.strideDownsample(xs, ys, 200);
        assertTrue(st[0].length <= 201);
        assertEquals(0, st[0][0]);
        assertEquals(9999, st[0][st[0].length - 1]);
    }

    @Test
    void valueLabelsAreCompact() {
        assertEquals("812.5", Charts.formatValue(812.5));
        assertEquals("1210", Charts.formatValue(1210));
        assertEquals("0.001235", Charts.formatValue(0.00123456));
        assertEquals("1235000", Charts.formatValue(1234567));
        assertEquals("0", Charts.formatValue(0));
    }

    @Test
    void movingAverageIsCentredAndSkipsNonFinite() {
        double[] avg = Charts.movingAverage(new double[] {1, 2, 3, Double.NaN, 5}, 3);
        assertArrayEquals(new double[] {1.5, 2, 2.5, 4, 5}, avg, 1e-12);
    }

    /** Writes a sample chart for eyeballing when -Djgrad.charts.sampleDir is set; otherwise does nothing. */
    @Test
    void writeSamplesForInspection() throws IOException {
        String out = System.getProperty("jgrad.charts.sampleDir");
        if (out == null) {
            return;
        }
        Path d = Path.of(out);
        Files.createDirectories(d);
        Charts.lossCurve(d.resolve("loss.png"), sampleLoss(10_000, 42), "training loss - mlp on mnist, cpu");
        Charts.lossCurve(d.resolve("loss-short.png"), sampleLoss(40, 3), "training loss - 40 steps");
        float[] diverged = sampleLoss(5000, 7);
        for (int i = 4000; i < diverged.length; i++) {
            diverged[i] = Float.NaN;
        }
        Charts.lossCurve(d.resolve("loss-diverged.png"), diverged, "training loss - diverged at step 4001");
        double[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        Map<String, double[][]> s = new LinkedHashMap<>();
        s.put("train accuracy", new double[][] {x, {.80, .88, .91, .93, .94, .95, .96, .965, .97, .972}});
        s.put("test accuracy", new double[][] {x, {.82, .87, .90, .915, .925, .93, .935, .937, .94, .941}});
        Charts.lineChart(d.resolve("acc.png"), "accuracy - mlp on mnist", "epoch", "accuracy", s);
        Map<String, double[]> b = new LinkedHashMap<>();
        b.put("cpu", new double[] {812.5, 95.1, 1210.0});
        b.put("gpu (H100)", new double[] {14.2, 3.9, 20.4});
        Charts.barChart(d.resolve("bars.png"), "time per epoch, cpu vs gpu", "seconds",
                List.of("mlp", "cnn", "transformer"), b);
    }

    /**
     * Axis ends fall on round ticks around the data: a one-epoch accuracy of 97.96% once got a single
     * tick "97.96000000000001", two epochs ticks only on the two values.
     */
    @Test
    void axisRangesAreRoundAndHoldTheData() throws Exception {
        double[][] cases = {{97.96, 97.96}, {97.96, 98.63}, {0.0012, 2.31}, {-3, 7}, {0, 0}, {1e6, 1.2e6}};
        for (double[] c : cases) {
            double[] axis = Charts.niceRange(c[0], c[1]);
            double lo = axis[0];
            double hi = axis[1];
            double step = axis[2];
            String what = java.util.Arrays.toString(c) + " -> " + java.util.Arrays.toString(axis);
            org.junit.jupiter.api.Assertions.assertTrue(lo < c[0] && c[1] < hi, what);
            double mantissa = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
            org.junit.jupiter.api.Assertions.assertTrue(java.util.List.of(1.0, 2.0, 5.0).stream()
                    .anyMatch(m -> Math.abs(m - mantissa) < 1e-9), what);
            for (double end : new double[] {lo, hi}) {
                double ticks = end / step;
                org.junit.jupiter.api.Assertions.assertEquals(Math.rint(ticks), ticks, 1e-6, what);
                String label = new java.text.DecimalFormat(Charts.decimalPattern(step),
                        java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT)).format(end);
                org.junit.jupiter.api.Assertions.assertTrue(label.replaceAll("[^0-9]", "").length() <= 9,
                        what + " label " + label);
            }
            org.junit.jupiter.api.Assertions.assertTrue((hi - lo) / step <= 8, what + ": few ticks");
        }
        // and a one-point chart renders
        java.nio.file.Path png = java.nio.file.Files.createTempFile("acc", ".png");
        java.util.Map<String, double[][]> one = new java.util.LinkedHashMap<>();
        one.put("test accuracy", new double[][] {{1}, {97.96}});
        Charts.lineChart(png, "one epoch", "epoch", "%", one);
        org.junit.jupiter.api.Assertions.assertTrue(java.nio.file.Files.size(png) > 1000);
        java.nio.file.Files.delete(png);
    }
}
