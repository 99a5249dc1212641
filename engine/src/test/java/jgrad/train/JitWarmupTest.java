package jgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jgrad.cpu.CpuDevice;
import jgrad.data.ImageShape;
import org.junit.jupiter.api.Test;

class JitWarmupTest {
    private static final ImageShape MNIST = new ImageShape(1, 28, 28);

    private static float[] losses(TrainConfig cfg, TrainData data) {
        try (TrainResult r = Trainer.train(cfg, CpuDevice.get(), data, new Trainer.Listener() {})) {
            return r.lossHistory();
        }
    }

    @Test
    void warmupBeforeOrDuringARunLeavesItsLossesBitIdentical() {
        // Dropout and batch norm: the model's random counters and buffers must stay the run's own.
        TrainConfig cfg = TrainConfig.builder().steps(40).batchSize(50).optimizer("momentum").activation("relu")
                .init("he").hidden(64).weightDecay(1e-4f).dropout(0.2f).batchNorm(true).seed(7L).logEvery(10).build();
        TrainData data = StepBench.synthetic(MNIST, 10, 1000, 3);
        float[] cold = losses(cfg, data);

        JitWarmup.Report report;
        try (JitWarmup warm = JitWarmup.start(cfg, CpuDevice.get(), MNIST, 10, 25, 60.0)) {
            report = warm.finish();
            assertSame(report, warm.finish(), "finish() is idempotent");
        }
        assertTrue(report.steps() >= 25, "ran its minimum of steps before stopping: " + report);
        assertTrue(report.firstStepMs() > 0 && report.lastStepMs() > 0 && report.speedUp() > 0,
                "its first and last step are timed, for the line that says what it bought: " + report);
        assertArrayEquals(cold, losses(cfg, data), 0f, "after a warm-up");

        try (JitWarmup warm = JitWarmup.start(cfg, CpuDevice.get(), MNIST, 10, 30, 60.0)) {
            // The warm-up trains on its own thread while the real run trains here.
            assertArrayEquals(cold, losses(cfg, data), 0f, "during a warm-up");
            report = warm.finish();
        }
        assertTrue(report.steps() >= 30, "ran its minimum of steps before stopping: " + report);
    }

    @Test
    void warmupOfAConvNetRuns() {
        TrainConfig cfg = TrainConfig.builder().model("convnet").steps(5).batchSize(8).lr(0.01f).optimizer("adam")
                .activation("relu").init("he").hidden(16).seed(1L).logEvery(5).build();
        try (JitWarmup warm = JitWarmup.start(cfg, CpuDevice.get(), MNIST, 10, 3, 60.0)) {
            assertTrue(warm.finish().steps() >= 3);
        }
    }
}
