package jgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import jgrad.cpu.CpuDevice;
import jgrad.data.ImageShape;
import jgrad.nn.DeepConvNet;
import jgrad.nn.Parameter;
import jgrad.nn.Sequential;
import jgrad.tensor.Arena;
import jgrad.tensor.GradMode;
import jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The book's DeepConvNet ({@code --model deepconvnet}) in seconds: its layers and shapes on MNIST-sized
 * images, its loss falling over a few steps on a handful of images, and a checkpointed run that
 * continues exactly as an uninterrupted one (weights, Adam moments and the dropout layers' counters).
 */
class DeepConvNetTest {
    private static final CpuDevice CPU = CpuDevice.get();
    private static final ImageShape MNIST = new ImageShape(1, 28, 28);

    @TempDir
    Path tmp;

    /** The book's job: Adam lr 0.001, He init, ReLU, hidden 50 (the defaults `train --model deepconvnet` takes). */
    private static TrainConfig job(int steps, int epochs, int batch, float lr) {
        String model = "deepconvnet";
        return TrainConfig.builder().model(model).steps(steps).epochs(epochs).batchSize(batch).lr(lr)
                .optimizer(TrainConfig.defaultOptimizer(model)).activation(TrainConfig.defaultActivation(model))
                .init(TrainConfig.defaultInit(model)).hidden(TrainConfig.defaultHidden(model)).seed(5L).logEvery(1)
                .build();
    }

    @Test
    void theBooksLayersAndShapes() {
        TrainConfig cfg = job(1, 0, 4, 0.001f);
        assertEquals("adam", cfg.optimizer());
        assertEquals("he", cfg.init());
        assertArrayEquals(new int[] {50}, cfg.hidden());
        try (Sequential net = Trainer.buildModel(cfg, CPU, MNIST, 10)) {
            assertEquals(List.of("input", "conv1", "act1", "conv2", "act2", "pool1", "conv3", "act3", "conv4", "act4",
                    "pool2", "conv5", "act5", "conv6", "act6", "pool3", "flatten", "fc1", "act7", "drop1", "fc2",
                    "drop2"), List.copyOf(net.layers().keySet()));
            Parameter conv4 = net.parameters().stream().filter(p -> p.name().equals("conv4.weight")).findFirst()
                    .orElseThrow();
            assertArrayEquals(new int[] {32, 32, 3, 3}, conv4.tensor().shape());
            // He init: std sqrt(2 / fan-in), fan-in 32·3·3 for conv4
            assertEquals(Math.sqrt(2.0 / 288), std(conv4.tensor().toArray()), 0.1 * Math.sqrt(2.0 / 288));
            float[] x = images(3, 1);
            try (Arena a = Arena.open(); GradMode off = GradMode.noGrad(); Tensor in = Tensor.of(CPU, x, 3, 784)) {
                net.train(false);
                float[] first = net.forward(in).toArray();
                assertEquals(30, first.length, "3 images × 10 classes");
                assertArrayEquals(first, net.forward(in).toArray(), "no dropout at test time");
                net.train(true);
                float[] dropped = net.forward(in).toArray();
                int zeros = 0;
                for (float v : dropped) {
                    zeros += v == 0f ? 1 : 0;
                }
                assertTrue(zeros >= 5 && zeros <= 25, "the last dropout zeroes about half the logits: " + zeros);
            }
        }
        assertEquals("conv3x3 16-16-pool-32-32-pool-64-64-pool", DeepConvNet.describeConvs());
    }

    /**
     * 20 steps of Adam on 8 images. The training loss keeps the noise of the dropout after the last
     * affine (a dropped true-class logit costs about log 6 whatever the weights), so it is the
     * dropout-free loss and accuracy on the same images that show the learning.
     */
    @Test
    void lossFallsOnAHandfulOfImages() {
        TrainData data = data(8, 4);
        TrainConfig cfg = job(20, 0, 8, 0.001f);
        double before;
        try (Sequential fresh = Trainer.buildModel(cfg, CPU, MNIST, 10)) {
            before = evalLoss(fresh, data);
        }
        TrainResult r = Trainer.train(cfg, CPU, data, new Trainer.Listener() {});
        double after = evalLoss(r.model(), data);
        assertTrue(after < 0.5 * before, "loss without dropout " + before + " -> " + after);
        assertEquals(1.0, Trainer.evaluate(r.model(), CPU, data.trainX(), data.trainY(), 8, 784), "all 8 learnt");
        float[] losses = r.lossHistory();
        assertTrue(losses[17] + losses[18] + losses[19] < 0.8 * (losses[0] + losses[1] + losses[2]),
                "training loss " + java.util.Arrays.toString(losses));
    }

    private static double evalLoss(Sequential net, TrainData data) {
        net.train(false);
        try (Arena a = Arena.open(); GradMode off = GradMode.noGrad();
             Tensor x = Tensor.of(CPU, data.trainX(), data.trainCount(), 784);
             Tensor y = Tensor.of(CPU, data.trainY(), data.trainCount())) {
            return jgrad.tensor.NnOps.softmaxCrossEntropy(net.forward(x), y).item();
        } finally {
            net.train(true);
        }
    }

    @Test
    void checkpointedRunContinuesAsTheUninterruptedOne() {
        TrainData data = data(24, 8);
        TrainConfig cfg = job(0, 2, 8, 0.001f);
        TrainResult whole = Trainer.train(cfg, CPU, data, new Trainer.Listener() {});
        Path dir = tmp.resolve("run");
        TrainResult firstEpoch = Trainer.train(cfg, CPU, data, new Trainer.Listener() {},
                new RunOptions(dir, null, 1, "{}"));
        assertFalse(firstEpoch.complete());
        Checkpoint ckpt = Checkpoint.read(dir);
        assertEquals(3, ckpt.step());
        try (Sequential restored = ckpt.buildModel(CPU, MNIST, 10)) {
            assertArrayEquals(Trainer.predict(firstEpoch.model(), CPU, data.testX(), 8, 784),
                    Trainer.predict(restored, CPU, data.testX(), 8, 784), "the checkpoint's model predicts alike");
        }
        TrainResult resumed = Trainer.train(ckpt.config(), CPU, data, new Trainer.Listener() {},
                new RunOptions(dir, ckpt, 0, "{}"));
        assertTrue(resumed.complete());
        assertArrayEquals(whole.lossHistory(), resumed.lossHistory(), "loss curve (dropout masks included)");
        List<Parameter> a = whole.model().parameters();
        List<Parameter> b = resumed.model().parameters();
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).tensor().toArray(), b.get(i).tensor().toArray(), a.get(i).name());
        }
    }

    /** MNIST-shaped random images whose label is the quadrant with the brightest blob. */
    private static TrainData data(int train, int test) {
        int n = train + test;
        SplittableRandom rng = new SplittableRandom(3);
        float[] x = new float[n * 784];
        float[] y = new float[n];
        for (int e = 0; e < n; e++) {
            int label = rng.nextInt(4);
            y[e] = label;
            for (int p = 0; p < 784; p++) {
                int row = p / 28;
                int col = p % 28;
                boolean blob = (row / 14) * 2 + col / 14 == label && row % 14 > 3 && row % 14 < 10 && col % 14 > 3
                        && col % 14 < 10;
                x[e * 784 + p] = (float) (0.2 * rng.nextDouble() + (blob ? 0.8 : 0));
            }
        }
        return new TrainData(java.util.Arrays.copyOf(x, train * 784), java.util.Arrays.copyOf(y, train), train,
                java.util.Arrays.copyOfRange(x, train * 784, n * 784), java.util.Arrays.copyOfRange(y, train, n), test,
                784, 10, MNIST, jgrad.data.Normalization.identity(1));
    }

    private static float[] images(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        return x;
    }

    private static double std(float[] v) {
        double mean = 0;
        for (float f : v) {
            mean += f / (double) v.length;
        }
        double sq = 0;
        for (float f : v) {
            sq += (f - mean) * (f - mean) / v.length;
        }
        return Math.sqrt(sq);
    }
}
