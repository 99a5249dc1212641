package jgrad.cli;

import java.util.ArrayList;
import java.util.List;
import jgrad.device.BinaryOp;
import jgrad.device.DeviceOps;
import jgrad.device.Storage;
import jgrad.device.UnaryOp;

/**
 * The ops suite: memory-bound elementwise kernels, reductions and the Adam update, as GB/s of
 * bytes each kernel must read and write at least once (the note gives the count per element).
 * On a GPU the fraction is of the DRAM peak (256 MiB buffers, far beyond L2); the CPU's 16 MiB
 * buffers can sit partly in a large L3, so its figures may exceed DRAM bandwidth.
 */
final class BenchOps {
    static final String SUITE = "ops";
    private static final int ROW = 1024;

    /** One kernel: its name, bytes moved per element, and the call. */
    private record Case(String name, int bytesPerElement, Call call) {}

    private interface Call {
        void run(DeviceOps ops, Buffers b, int n);
    }

    /** Five operands (x, y, z, m, v) and a scalar/row output, allocated once per target. */
    private record Buffers(Storage x, Storage y, Storage z, Storage m, Storage v, Storage out) implements AutoCloseable {
        @Override
        public void close() {
            for (Storage s : new Storage[] {x, y, z, m, v, out}) {
                s.close();
            }
        }
    }

    private static final List<Case> CASES = List.of(
            new Case("copy", 8, (o, b, n) -> o.copy(b.x(), 0, b.y(), 0, n)),
            new Case("fill", 4, (o, b, n) -> o.fill(b.y(), 1f, n)),
            new Case("relu", 8, (o, b, n) -> o.unary(UnaryOp.RELU, b.x(), b.y(), n)),
            new Case("sigmoid", 8, (o, b, n) -> o.unary(UnaryOp.SIGMOID, b.x(), b.y(), n)),
            new Case("add", 12, (o, b, n) -> o.binary(BinaryOp.ADD, b.x(), b.z(), b.y(), n)),
            new Case("axpby", 12, (o, b, n) -> o.axpby(0.5f, b.x(), 0.5f, b.y(), n)),
            new Case("sum (all)", 4, (o, b, n) -> o.sumAll(b.x(), b.out(), n)),
            new Case("sum rows (" + ROW + " cols)", 4, (o, b, n) -> o.sumRows(b.x(), b.out(), n / ROW, ROW, false)),
            new Case("adam update", 28, (o, b, n) -> o.adamUpdate(b.x(), b.z(), b.m(), b.v(), n, 1e-3f, 0.9f, 0.999f,
                    1e-8f, 1, 0f)));

    private BenchOps() {}

    /** Elements per buffer: 4 Mi (16 MiB) on the CPU, 64 Mi (256 MiB) on a GPU; a quarter with --quick. */
    static int elements(boolean gpu, boolean quick) {
        return (gpu ? 1 << 26 : 1 << 22) >> (quick ? 2 : 0);
    }

    static List<BenchResult> run(BenchRun run) {
        List<BenchResult> out = new ArrayList<>();
        for (BenchTarget t : run.devices().targets(BenchDevices.Need.OPS)) {
            if (!t.available()) {
                out.add(BenchResult.skipped(SUITE, t.device(), t.provider(), "all ops", "GB/s", t.unavailable()));
                continue;
            }
            int n = t.simulated() ? BenchSimulated.OPS_ELEMENTS : elements(!t.device().equals("cpu"), run.quick());
            String size = sizeLabel(n);
            try (Buffers b = new Buffers(t.random(n, 1), t.random(n, 2), t.random(n, 3), t.random(n, 4),
                    t.dev().allocate(n), t.dev().allocate(ROW))) {
                t.dev().ops().fill(b.v(), 0.5f, n); // Adam's second moment must be non-negative
                for (Case c : CASES) {
                    String item = c.name() + ", " + size;
                    Runnable call = () -> c.call().run(t.dev().ops(), b, n);
                    try {
                        if (t.simulated()) {
                            out.add(run.progress().done(BenchSimulated.once(SUITE, t, item, "GB/s", call,
                                    t.dev()::synchronize)));
                            continue;
                        }
                        Measure.Stats st = Measure.time(call, t.dev()::synchronize, run.budget());
                        double gbs = (double) c.bytesPerElement() * n / (st.medianMs() * 1e6);
                        out.add(run.progress().done(BenchResult.measured(SUITE, t.device(), t.provider(), item, "GB/s",
                                gbs, st, t.peak().memoryGBs(), c.bytesPerElement() + " B/element")));
                    } catch (RuntimeException e) {
                        out.add(run.progress().done(BenchResult.from(e, SUITE, t, item, "GB/s")));
                    }
                }
            }
        }
        return out;
    }

    static String sizeLabel(int n) {
        return n % (1 << 20) == 0 ? (n >> 20) + "M floats" : n % 1024 == 0 ? (n >> 10) + "K floats" : n + " floats";
    }
}
