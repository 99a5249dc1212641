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
            case "mlp" -> new TrainConfig("mlp", 0, 2, 40, 0.05f, "momentum", "relu", "he", new int[] {256, 64}, 5e-4f,
                    0.2f, true, 11L, 3, 0.9f, "cosine", 0, 0, 0f, "rotate,crop", "seed");
            case "convnet" -> new TrainConfig("convnet", 4, 0, 20, 0.002f, "adam", "relu", "he", new int[] {32}, 0f, 0f,
                    false, 12L, 2, 0.9f, "constant", 0, 0, 0f, "none", "seed");
            // the book's DeepConvNet: six convolutions (one with pad 2) and its two dropout layers
            case "deepconvnet" -> new TrainConfig("deepconvnet", 3, 0, 16, 0.001f, "adam", "relu", "he", new int[] {50},
                    0f, 0f, false, 14L, 1, 0.9f, "constant", 0, 0, 0f, "none", "seed");
            case "resnet8" -> new TrainConfig("resnet8", 3, 0, 16, 0.05f, "momentum", "relu", "he", new int[] {100},
                    1e-4f, 0f, false, 13L, 1, 0.9f, "constant", 0, 0, 0f, "none", "cifar");
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
