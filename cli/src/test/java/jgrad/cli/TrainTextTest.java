package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jgrad.data.ImageShape;
import jgrad.data.Normalization;
import jgrad.train.JitWarmup;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import org.junit.jupiter.api.Test;

/** The lines `train` prints before its loop (issue 14, smaller points): counted right, said once. */
class TrainTextTest {
    private static final ImageShape MNIST = new ImageShape(1, 28, 28);

    private static TrainData mnistShaped(int train) {
        int f = MNIST.pixels();
        return new TrainData(new float[train * f], new float[train], train, new float[f], new float[1], 1, f, 10,
                MNIST, Normalization.identity(1));
    }

    private static TrainConfig job(String model, int epochs, int tMax) {
        return TrainConfig.builder().model(model).steps(0).epochs(epochs).lr(0.001f).optimizer("adam")
                .activation("relu").init("he").lrSchedule("cosine").tMax(tMax).build();
    }

    @Test
    void oneEpochIsOneEpoch() {
        TrainData data = mnistShaped(1000);
        assertEquals("cosine lr per epoch, T_max 1 epoch", TrainCommand.extras(job("convnet", 1, 0), data));
        assertEquals("cosine lr per epoch, T_max 3 epochs", TrainCommand.extras(job("convnet", 1, 3), data));
        assertEquals("1 pass", Words.count(1, "pass", "passes"));
        assertEquals("0 steps", Words.count(0, "step"));
    }

    /** The header prints the data's shape once, beside the data set: "convnet ... on mnist (1×28×28)". */
    @Test
    void theNetworkDescriptionLeavesTheShapeToTheDataSet() {
        TrainData data = mnistShaped(10);
        assertEquals("conv30x5x5-pool2-100-10 relu", TrainCommand.describeNet(job("convnet", 1, 0), data));
        assertEquals("seed stem, 10 classes", TrainCommand.describeNet(job("resnet8", 1, 0), data));
        assertEquals("conv3x3 16-16-pool-32-32-pool-64-64-pool-100-10 relu + dropout 0.5",
                TrainCommand.describeNet(job("deepconvnet", 1, 0), data));
        assertFalse(TrainCommand.describeNet(job("mlp", 1, 0), data).contains("×"));
    }

    @Test
    void theWarmUpSaysWhatItBoughtAndWhatItCost() {
        assertEquals("JIT warm-up: 300 steps on synthetic data in 1.2 s, while the data loaded; a step went from "
                + "11.5 ms to 0.552 ms (21× faster; skip: --no-warmup)",
                TrainCommand.warmupLine(new JitWarmup.Report(300, 1.2, 0.02, 11.5, 0.552)));
        assertEquals("JIT warm-up: 5 steps on synthetic data in 4.0 s, 2.8 s of it after the data loaded; a step "
                + "went from 812 ms to 790 ms: no gain for this job, --no-warmup skips it",
                TrainCommand.warmupLine(new JitWarmup.Report(5, 4.0, 2.8, 812, 790)));
        assertEquals("JIT warm-up: 1 step on synthetic data in 4.0 s, 3.1 s of it after the data loaded; one step is "
                + "too few to time what it bought (skip: --no-warmup)",
                TrainCommand.warmupLine(new JitWarmup.Report(1, 4.0, 3.1, 3900, 3900)));
    }
}
