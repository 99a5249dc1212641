package jgrad.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jgrad.data.ImageShape;
import jgrad.data.Normalization;
import jgrad.nn.Parameter;
import jgrad.train.StepBench;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.TrainResult;
import jgrad.train.Trainer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "On the CPU the same seed gives bit-identical results with any thread count": whole training runs
 * under 1, 2 and 3 threads ({@link Parallel#withThreads}) give the same loss history, weights,
 * batch-norm statistics and predictions, bit for bit. The sizes are chosen so that the GEMMs,
 * im2col, pooling, batch norm and the large elementwise ops take their multi-threaded paths.
 */
class TrainingDeterminismTest {
    private static final int[] THREADS = {1, 2, 3};

    /** 240 synthetic 28×28 images (random pixels and labels: the loss still moves, which is all this needs). */
    private static TrainData images() {
        TrainData flat = StepBench.syntheticMnist(240, 3);
        return new TrainData(flat.trainX(), flat.trainY(), flat.trainCount(), flat.testX(), flat.testY(),
                flat.testCount(), flat.features(), flat.classes(), new ImageShape(1, 28, 28), Normalization.identity(1));
    }

    private static TrainConfig job(String model) {
        return switch (model) {
            // Dropout, batch norm, momentum with weight decay, cosine schedule, host augmentation; 2 epochs of 6 steps.
            case "mlp" -> TrainConfig.builder().steps(0).epochs(2).batchSize(40).lr(0.05f).optimizer("momentum")
                    .activation("relu").init("he").hidden(256, 64).weightDecay(5e-4f).dropout(0.2f).batchNorm(true)
                    .seed(11L).logEvery(3).lrSchedule("cosine").augment("rotate,crop").build();
            case "convnet" -> TrainConfig.builder().model("convnet").steps(4).batchSize(20).lr(0.002f)
                    .optimizer("adam").activation("relu").init("he").hidden(32).seed(12L).logEvery(2).build();
            // the book's DeepConvNet: six convolutions (one with pad 2) and its two dropout layers
            case "deepconvnet" -> TrainConfig.builder().model("deepconvnet").steps(3).batchSize(16).lr(0.001f)
                    .optimizer("adam").activation("relu").init("he").hidden(50).seed(14L).logEvery(1).build();
            case "resnet8" -> TrainConfig.builder().model("resnet8").steps(3).batchSize(16).lr(0.05f)
                    .optimizer("momentum").activation("relu").init("he").weightDecay(1e-4f).seed(13L).logEvery(1)
                    .stem("cifar").build();
            default -> throw new IllegalArgumentException(model);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "convnet", "deepconvnet", "resnet8"})
    void sameSeedGivesTheSameBitsWithAnyThreadCount(String model) {
        TrainData data = images();
        TrainConfig cfg = job(model);
        List<TrainResult> runs = new ArrayList<>();
        try {
            for (int threads : THREADS) {
                Parallel.withThreads(threads, () -> runs.add(Trainer.train(cfg, CpuDevice.get(), data,
                        new Trainer.Listener() {})));
            }
            TrainResult one = runs.get(0);
            for (int t = 1; t < THREADS.length; t++) {
                TrainResult other = runs.get(t);
                String with = model + " with " + THREADS[t] + " threads vs 1";
                assertArrayEquals(one.lossHistory(), other.lossHistory(), with + ": loss history");
                assertEquals(one.steps(), other.steps());
                List<Parameter> a = tensors(one);
                List<Parameter> b = tensors(other);
                assertEquals(a.size(), b.size());
                for (int i = 0; i < a.size(); i++) {
                    assertArrayEquals(a.get(i).tensor().toArray(), b.get(i).tensor().toArray(),
                            with + ": " + a.get(i).name());
                }
                assertArrayEquals(one.evaluation().predictions(), other.evaluation().predictions(), with);
            }
            // Not a vacuous pass: the runs trained (the loss moved).
            float[] h = one.lossHistory();
            assertNotEquals(h[0], h[h.length - 1], model + " loss history " + Arrays.toString(h));
        } finally {
            runs.forEach(TrainResult::close);
        }
    }

    private static List<Parameter> tensors(TrainResult r) {
        List<Parameter> all = new ArrayList<>(r.model().parameters());
        all.addAll(r.model().buffers());
        return all;
    }
}
