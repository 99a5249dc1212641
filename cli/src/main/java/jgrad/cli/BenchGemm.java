package jgrad.cli;

import java.util.ArrayList;
import java.util.List;
import jgrad.cpu.SgemmBench;
import jgrad.cpu.SgemmBench.Shape;
import jgrad.device.Storage;

/**
 * The gemm suite: square SGEMMs and the GEMMs of the seed MLP's training step, through
 * {@code DeviceOps.gemm} on every target (CPU, own PTX, cuBLAS FP32 and TF32): GFLOP/s.
 */
final class BenchGemm {
    static final String SUITE = "gemm";

    private BenchGemm() {}

    /** Square sizes: the CPU's stay small enough for a 2-core CI machine; the GPU's fill an H100. */
    static List<Shape> shapes(boolean gpu, boolean quick) {
        int[] sizes = gpu ? (quick ? new int[] {1024, 4096} : new int[] {1024, 2048, 4096, 8192})
                : (quick ? new int[] {256, 512} : new int[] {256, 512, 1024});
        List<Shape> out = new ArrayList<>();
        for (int s : sizes) {
            out.add(new Shape(s + "x" + s + "x" + s + " NN", s, s, s, false, false));
        }
        // The MLP's forward and backward GEMMs at batch 100 (SgemmBench's non-square shapes).
        for (Shape s : SgemmBench.DEFAULT_SHAPES) {
            if (!(s.m() == s.n() && s.n() == s.k())) {
                out.add(s);
            }
        }
        return out;
    }

    static List<BenchResult> run(BenchRun run) {
        List<BenchResult> out = new ArrayList<>();
        for (BenchTarget t : run.devices().targets(BenchDevices.Need.GEMM)) {
            if (!t.available()) {
                out.add(BenchResult.skipped(SUITE, t.device(), t.provider(), "all shapes", "GFLOP/s", t.unavailable()));
                continue;
            }
            for (Shape s : t.simulated() ? BenchSimulated.GEMM_SHAPES : shapes(!t.device().equals("cpu"), run.quick())) {
                out.add(run.progress().done(measure(run, t, s)));
            }
        }
        return out;
    }

    private static BenchResult measure(BenchRun run, BenchTarget t, Shape s) {
        try (Storage a = t.random(s.m() * s.k(), 1); Storage b = t.random(s.k() * s.n(), 2);
             Storage c = t.dev().allocate(s.m() * s.n())) {
            Runnable gemm = () -> t.dev().ops().gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, b, 0f, c);
            if (t.simulated()) {
                return BenchSimulated.once(SUITE, t, s.name(), "GFLOP/s", gemm, t.dev()::synchronize);
            }
            Measure.Stats st = Measure.time(gemm, t.dev()::synchronize, run.budget());
            double gflops = s.flops() / (st.medianMs() * 1e6);
            return BenchResult.measured(SUITE, t.device(), t.provider(), s.name(), "GFLOP/s", gflops, st,
                    t.computePeak(), null);
        } catch (RuntimeException e) {
            return BenchResult.from(e, SUITE, t, s.name(), "GFLOP/s");
        }
    }
}
