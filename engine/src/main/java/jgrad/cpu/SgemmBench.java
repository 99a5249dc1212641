package jgrad.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * SGEMM throughput benchmark. {@link #run} measures and returns records (reused by
 * {@code jgrad bench --suite gemm}); {@link #main} only formats them.
 * Compare with {@code scripts/bench_numpy_sgemm.py}, which runs the same shapes.
 */
public final class SgemmBench {

    /** One GEMM shape: C[m×n] = op(A)·op(B), op(A) is m×k. */
    public record Shape(String name, int m, int n, int k, boolean transA, boolean transB) {
        public double flops() {
            return 2.0 * m * n * k;
        }
    }

    /** Median-of-repeats result for one shape. */
    public record Result(String shape, double gflops, double medianMs) {
    }

    /** Square sizes plus the forward/backward GEMMs of a 784-100-10 MLP at batch 100. */
    public static final List<Shape> DEFAULT_SHAPES = List.of(
            new Shape("512x512x512 NN", 512, 512, 512, false, false),
            new Shape("1024x1024x1024 NN", 1024, 1024, 1024, false, false),
            new Shape("2048x2048x2048 NN", 2048, 2048, 2048, false, false),
            new Shape("100x100x784 NN", 100, 100, 784, false, false),
            new Shape("784x100x100 TN", 784, 100, 100, true, false),
            new Shape("100x10x100 NN", 100, 10, 100, false, false),
            new Shape("100x100x10 NT", 100, 100, 10, false, true));

    private SgemmBench() {
    }

    /**
     * Measures each shape: warm-up (also lets C2 compile the kernels), then {@code repeats}
     * samples, each timing enough back-to-back calls to last about {@code minSampleMs}.
     */
    public static List<Result> run(List<Shape> shapes, int repeats, double minSampleMs) {
        List<Result> out = new ArrayList<>();
        for (Shape s : shapes) {
            out.add(measure(s, repeats, minSampleMs));
        }
        return out;
    }

    public static Result measure(Shape s, int repeats, double minSampleMs) {
        Random rnd = new Random(42);
        float[] a = randomArray(s.m * s.k, rnd);
        float[] b = randomArray(s.k * s.n, rnd);
        float[] c = new float[s.m * s.n];
        int lda = s.transA ? s.m : s.k;
        int ldb = s.transB ? s.k : s.n;
        Runnable call = () -> Sgemm.sgemm(s.transA, s.transB, s.m, s.n, s.k,
                1f, a, 0, lda, b, 0, ldb, 0f, c, 0, s.n);
        // Warm-up: enough calls (>= ~0.3 s or 200 calls) for the kernels to reach C2.
        long warmEnd = System.nanoTime() + 300_000_000L;
        int warmCalls = 0;
        while (System.nanoTime() < warmEnd || warmCalls < 200) {
            call.run();
            warmCalls++;
        }
        int inner = 1;
        while (true) {
            long t0 = System.nanoTime();
            for (int i = 0; i < inner; i++) {
                call.run();
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            if (ms >= minSampleMs || inner >= (1 << 20)) {
                break;
            }
            inner *= 2;
        }
        double[] samples = new double[Math.max(1, repeats)];
        for (int r = 0; r < samples.length; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < inner; i++) {
                call.run();
            }
            samples[r] = (System.nanoTime() - t0) / 1e6 / inner;
        }
        Arrays.sort(samples);
        int mid = samples.length / 2;
        double median = samples.length % 2 == 1 ? samples[mid] : 0.5 * (samples[mid - 1] + samples[mid]);
        return new Result(s.name, s.flops() / (median * 1e6), median);
    }

    private static float[] randomArray(int size, Random rnd) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /** CPU model from /proc/cpuinfo, or os.arch when unavailable. */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux, or not readable: fall back below
        }
        return System.getProperty("os.arch");
    }

    /** The CPU GEMM's micro-tile, rows x columns (it depends on the vector width and the JDK). */
    public static String gemmTile() {
        return SgemmKernels.MR + "x" + SgemmKernels.NR;
    }

    /** One line describing the machine and configuration the numbers belong to. */
    public static String machineLine() {
        return "cpu: " + cpuModel() + "  cores: " + Runtime.getRuntime().availableProcessors()
                + "  jgrad threads: " + Parallel.threads()
                + "  species: " + SgemmKernels.S + "  tile: " + SgemmKernels.MR + "x" + SgemmKernels.NR
                + "  KC<=" + Sgemm.KC_MAX + " MC=" + Sgemm.MC + " NC<=" + Sgemm.NC_MAX
                + "  java " + System.getProperty("java.version");
    }

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        System.out.println(machineLine());
        List<Shape> shapes = DEFAULT_SHAPES;
        if (args.length > 1) { // optional substring filter on shape names, e.g. "2048"
            shapes = shapes.stream().filter(s -> s.name().contains(args[1])).toList();
        }
        for (Result r : run(shapes, repeats, 50.0)) {
            System.out.printf("%-22s %8.1f GFLOP/s  %9.4f ms%n", r.shape(), r.gflops(), r.medianMs());
        }
    }
}
