package jgrad.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import jgrad.data.ImageShape;
import jgrad.data.Normalization;
import jgrad.device.KernelChoice;
import jgrad.nn.Parameter;
import jgrad.train.StepBench;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.TrainResult;
import jgrad.train.Trainer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * --deterministic on a GPU: the same job trained twice gives the same losses and weights bit for
 * bit, with cuBLAS/cuDNN (deterministic cuDNN algorithms only) and with the own kernels (no atomics).
 */
@GpuTest
class CudaDeterminismTest {
    private static TrainData images() {
        TrainData flat = StepBench.syntheticMnist(400, 4);
        int test = Parity.size(flat.testCount(), 16);  // each test image costs the simulator a forward pass
        return new TrainData(flat.trainX(), flat.trainY(), flat.trainCount(),
                java.util.Arrays.copyOf(flat.testX(), test * flat.features()), java.util.Arrays.copyOf(flat.testY(), test),
                test, flat.features(), flat.classes(), new ImageShape(1, 28, 28), Normalization.identity(1));
    }

    /**
     * Convolutions (both backwards), batch norm, pooling and a residual sum; then an MLP with dropout.
     * On the simulator fewer steps and a smaller batch: every kernel still runs forward and backward.
     */
    private static List<TrainConfig> jobs() {
        return List.of(
                TrainConfig.builder().model("resnet8").steps(Parity.size(12, 2)).batchSize(Parity.size(32, 4))
                        .lr(0.05f).optimizer("momentum").activation("relu").init("he").weightDecay(1e-4f).seed(21L)
                        .logEvery(4).stem("cifar").build(),
                TrainConfig.builder().steps(Parity.size(30, 10)).batchSize(50).lr(0.002f).optimizer("adam")
                        .activation("relu").init("he").hidden(128, 64).weightDecay(1e-4f).dropout(0.2f).batchNorm(true)
                        .seed(22L).logEvery(10).build());
    }

    @ParameterizedTest
    @EnumSource(names = {"AUTO", "OWN"})
    void deterministicRunsRepeatBitForBit(KernelChoice kernels) {
        TrainData data = images();
        try (CudaDevice gpu = CudaDevice.open(0, kernels, false, true)) {
            assertTrue(gpu.providers().endsWith(", deterministic"), gpu.providers());
            for (TrainConfig cfg : jobs()) {
                try (TrainResult a = Trainer.train(cfg, gpu, data, new Trainer.Listener() {});
                     TrainResult b = Trainer.train(cfg, gpu, data, new Trainer.Listener() {})) {
                    String what = cfg.model() + " on " + gpu.providers();
                    assertArrayEquals(a.lossHistory(), b.lossHistory(), what + ": loss history");
                    List<Parameter> wa = tensors(a);
                    List<Parameter> wb = tensors(b);
                    assertEquals(wa.size(), wb.size());
                    for (int i = 0; i < wa.size(); i++) {
                        assertArrayEquals(wa.get(i).tensor().toArray(), wb.get(i).tensor().toArray(),
                                what + ": " + wa.get(i).name());
                    }
                    assertTrue(a.lossHistory()[0] != a.lossHistory()[a.steps() - 1], what + ": the run trained");
                }
            }
        }
    }

    private static List<Parameter> tensors(TrainResult r) {
        List<Parameter> all = new ArrayList<>(r.model().parameters());
        all.addAll(r.model().buffers());
        return all;
    }
}
