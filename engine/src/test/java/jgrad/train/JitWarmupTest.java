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
        TrainConfig cfg = new TrainConfig("mlp", 40, 0, 50, 0.1f, "momentum", "relu", "he", new int[] {64}, 1e-4f,
                0.2f, true, 7L, 10);
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
        TrainConfig cfg = new TrainConfig("convnet", 5, 0, 8, 0.01f, "adam", "relu", "he", new int[] {16}, 0f, 0f,
                false, 1L, 5);
        try (JitWarmup warm = JitWarmup.start(cfg, CpuDevice.get(), MNIST, 10, 3, 60.0)) {
            assertTrue(warm.finish().steps() >= 3);
        }
    }
}
