package jgrad.cli;

import java.util.ArrayList;
import java.util.List;
import jgrad.device.Conv2dGeometry;
import jgrad.device.DeviceOps;
import jgrad.device.Storage;

/**
 * The conv suite: the distinct convolutions of ImageNet ResNet-18 (224×224 input), forward,
 * backward-data and backward-filter, as GFLOP/s (2·N·OC·OH·OW·IC·KH·KW per pass) on every target
 * (CPU, own im2col kernels, cuDNN FP32 and TF32). A device whose conv ops are not implemented
 * gets SKIP rows with the reason.
 */
final class BenchConv {
    static final String SUITE = "conv";

    /** One ResNet-18 convolution at batch 1; {@link #at} sets the batch. */
    record Layer(String name, int in, int size, int out, int kernel, int stride, int pad) {
        Conv2dGeometry at(int batch) {
            return Conv2dGeometry.of(batch, in, size, size, out, kernel, stride, pad);
        }
    }

    static final List<Layer> LAYERS = List.of(
            new Layer("conv1 7x7/2 3->64 @224", 3, 224, 64, 7, 2, 3),
            new Layer("layer1 3x3 64->64 @56", 64, 56, 64, 3, 1, 1),
            new Layer("layer2 3x3/2 64->128 @56", 64, 56, 128, 3, 2, 1),
            new Layer("layer2 3x3 128->128 @28", 128, 28, 128, 3, 1, 1),
            new Layer("layer2 down 1x1/2 64->128 @56", 64, 56, 128, 1, 2, 0),
            new Layer("layer3 3x3/2 128->256 @28", 128, 28, 256, 3, 2, 1),
            new Layer("layer3 3x3 256->256 @14", 256, 14, 256, 3, 1, 1),
            new Layer("layer4 3x3/2 256->512 @14", 256, 14, 512, 3, 2, 1),
            new Layer("layer4 3x3 512->512 @7", 512, 7, 512, 3, 1, 1));

    private static final List<String> QUICK = List.of("conv1 7x7/2 3->64 @224", "layer1 3x3 64->64 @56",
            "layer3 3x3 256->256 @14", "layer4 3x3 512->512 @7");

    private BenchConv() {}

    static double flops(Conv2dGeometry g) {
        return 2.0 * g.batch() * g.outChannels() * g.outH() * g.outW() * g.inChannels() * g.kernelH() * g.kernelW();
    }

    static int batch(boolean gpu, boolean quick) {
        return gpu ? (quick ? 16 : 64) : (quick ? 2 : 4);
    }

    static List<BenchResult> run(BenchRun run) {
        List<BenchResult> out = new ArrayList<>();
        for (BenchTarget t : run.devices().targets(BenchDevices.Need.CONV)) {
            if (!t.available()) {
                out.add(BenchResult.skipped(SUITE, t.device(), t.provider(), "all layers", "GFLOP/s", t.unavailable()));
                continue;
            }
            int batch = t.simulated() ? BenchSimulated.CONV_BATCH : batch(!t.device().equals("cpu"), run.quick());
            for (Layer layer : t.simulated() ? BenchSimulated.CONV_LAYERS : LAYERS) {
                if (run.quick() && !t.simulated() && !QUICK.contains(layer.name())) {
                    continue;
                }
                List<BenchResult> rows = layer(run, t, layer, batch);
                for (BenchResult r : rows) {
                    out.add(run.progress().done(r));
                }
                if ("SKIP".equals(rows.get(rows.size() - 1).status())) {
                    break; // the device has no conv ops: one row says so, not one per layer
                }
            }
        }
        return out;
    }

    private interface Pass {
        void run(DeviceOps ops, Conv2dGeometry g, Storage x, Storage w, Storage y, Storage dy, Storage dx,
                 Storage dw);
    }

    private static final String[] PASS_NAMES = {"fwd", "bwd data", "bwd filter"};
    private static final Pass[] PASSES = {
        (o, g, x, w, y, dy, dx, dw) -> o.conv2dForward(g, x, w, null, y),
        (o, g, x, w, y, dy, dx, dw) -> o.conv2dBackwardData(g, dy, w, dx, false),
        (o, g, x, w, y, dy, dx, dw) -> o.conv2dBackwardFilter(g, x, dy, dw, null, false)};

    /** The three passes of one layer; a pass that throws ends the layer with its SKIP or FAIL row. */
    private static List<BenchResult> layer(BenchRun run, BenchTarget t, Layer layer, int batch) {
        Conv2dGeometry g = layer.at(batch);
        List<BenchResult> rows = new ArrayList<>();
        try (Storage x = t.random(g.inputNumel(), 1); Storage w = t.random(g.weightNumel(), 2);
             Storage y = t.dev().allocate(g.outputNumel()); Storage dy = t.random(g.outputNumel(), 3);
             Storage dx = t.dev().allocate(g.inputNumel()); Storage dw = t.dev().allocate(g.weightNumel())) {
            for (int p = 0; p < PASSES.length; p++) {
                Pass pass = PASSES[p];
                String item = layer.name() + " N=" + batch + " " + PASS_NAMES[p];
                Runnable call = () -> pass.run(t.dev().ops(), g, x, w, y, dy, dx, dw);
                try {
                    if (t.simulated()) {
                        rows.add(BenchSimulated.once(SUITE, t, item, "GFLOP/s", call, t.dev()::synchronize));
                        continue;
                    }
                    Measure.Stats st = Measure.time(call, t.dev()::synchronize, run.budget());
                    rows.add(BenchResult.measured(SUITE, t.device(), t.provider(), item, "GFLOP/s",
                            flops(g) / (st.medianMs() * 1e6), st, t.computePeak(), null));
                } catch (RuntimeException e) {
                    rows.add(BenchResult.from(e, SUITE, t, item, "GFLOP/s"));
                    return rows;
                }
            }
        }
        return rows;
    }
}
