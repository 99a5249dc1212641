package jgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jgrad.cpu.CpuDevice;
import jgrad.data.ImageShape;
import jgrad.data.Normalization;
import org.junit.jupiter.api.Test;

/** The conv models learn a small synthetic image task end to end through the trainer (seconds). */
class ConvTrainingTest {
    /**
     * 8×8 single-channel images of three classes, each a bright patch in its own place (top-left
     * square, bottom-right square, centre bar) at a random offset of ±1 pixel, over uniform noise.
     */
    static TrainData patches(int train, int test, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = train + test;
        float[] x = new float[n * 64];
        float[] y = new float[n];
        for (int e = 0; e < n; e++) {
            int label = r.nextInt(3);
            y[e] = label;
            int dy = r.nextInt(3) - 1;
            int dx = r.nextInt(3) - 1;
            for (int p = 0; p < 64; p++) {
                x[e * 64 + p] = 0.3f * (float) r.nextDouble();
            }
            for (int h = 0; h < 8; h++) {
                for (int w = 0; w < 8; w++) {
                    int hh = h - dy;
                    int ww = w - dx;
                    boolean on = switch (label) {
                        case 0 -> hh >= 1 && hh <= 3 && ww >= 1 && ww <= 3;
                        case 1 -> hh >= 4 && hh <= 6 && ww >= 4 && ww <= 6;
                        default -> hh >= 1 && hh <= 6 && ww >= 3 && ww <= 4;
                    };
                    if (on) {
                        x[e * 64 + h * 8 + w] += 0.7f;
                    }
                }
            }
        }
        return new TrainData(java.util.Arrays.copyOf(x, train * 64), java.util.Arrays.copyOf(y, train), train,
                java.util.Arrays.copyOfRange(x, train * 64, n * 64), java.util.Arrays.copyOfRange(y, train, n), test,
                64, 3, new ImageShape(1, 8, 8), Normalization.identity(1));
    }

    private static TrainConfig config(String model, String optimizer, float lr, int[] hidden, String stem) {
        return TrainConfig.builder().model(model).steps(0).epochs(4).batchSize(20).lr(lr).optimizer(optimizer)
                .activation("relu").init("he").hidden(hidden).seed(7L).logEvery(10).stem(stem).build();
    }

    private static double mean(float[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i];
        }
        return s / (to - from);
    }

    private static void assertLearns(TrainResult r) {
        float[] losses = r.lossHistory();
        double first = mean(losses, 0, 5);
        double last = mean(losses, losses.length - 5, losses.length);
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
        assertTrue(r.testAccuracy() >= 0.9, "test accuracy " + r.testAccuracy());
    }

    @Test
    void simpleConvNetLearns() {
        TrainResult r = Trainer.train(config("convnet", "adam", 0.01f, new int[] {16}, "seed"), CpuDevice.get(),
                patches(400, 90, 1), new Trainer.Listener() {});
        assertLearns(r);
    }

    @Test
    void resnet8Learns() {
        TrainResult r = Trainer.train(config("resnet8", "momentum", 0.05f, new int[] {100}, "cifar"), CpuDevice.get(),
                patches(400, 90, 2), new Trainer.Listener() {});
        assertLearns(r);
    }

    @Test
    void sameSeedSameLossCurve() {
        TrainData data = patches(100, 10, 3);
        TrainConfig cfg = TrainConfig.builder().model("resnet8").steps(6).batchSize(10).lr(0.05f).optimizer("momentum")
                .activation("relu").init("he").seed(11L).logEvery(3).build();
        float[] a = Trainer.train(cfg, CpuDevice.get(), data, new Trainer.Listener() {}).lossHistory();
        float[] b = Trainer.train(cfg, CpuDevice.get(), data, new Trainer.Listener() {}).lossHistory();
        assertArrayEquals(a, b);
    }

    @Test
    void optionsThatDoNotApplyAreRejected() {
        ConfigValueException dropout = assertThrows(ConfigValueException.class,
                () -> TrainConfig.builder().model("convnet").steps(1).batchSize(10).optimizer("adam")
                        .activation("relu").init("he").dropout(0.5f).seed(1L).logEvery(1).build());
        assertTrue(dropout.asOption().contains("--dropout and --batch-norm apply to --model mlp only"),
                dropout.asOption());
        assertEquals("'dropout' is 0.5; allowed: 0 for model convnet (the mlp's option; deepconvnet has the book's "
                + "dropout 0.5 built in, the ResNets their own batch norm)", dropout.getMessage());
        ConfigValueException bad = assertThrows(ConfigValueException.class,
                () -> TrainConfig.builder().model("resnet18").steps(1).batchSize(10).optimizer("adam")
                        .activation("sigmoid").init("he").seed(1L).logEvery(1).build());
        assertTrue(bad.asOption().contains("uses ReLU"), bad.asOption());
        assertTrue(bad.getMessage().startsWith("'activation' is 'sigmoid'; allowed: relu"), bad.getMessage());
        bad = assertThrows(ConfigValueException.class,
                () -> TrainConfig.builder().model("resnet18").steps(1).batchSize(10).optimizer("adam")
                        .activation("relu").init("he").seed(1L).logEvery(1).stem("imagenet").build());
        assertTrue(bad.asOption().contains("unknown --stem 'imagenet'"), bad.asOption());
        assertEquals("'stem' is 'imagenet'; allowed: seed or cifar", bad.getMessage());
        bad = assertThrows(ConfigValueException.class,
                () -> TrainConfig.builder().model("vgg").steps(1).batchSize(10).optimizer("adam").activation("relu")
                        .init("he").seed(1L).logEvery(1).build());
        assertTrue(bad.getMessage().contains("mlp, convnet, deepconvnet, resnet8, resnet18"), bad.getMessage());
        // Flat data cannot feed an image model: the convnet says which shape it needs.
        TrainData flat = new TrainData(new float[20 * 10], new float[20], 20, new float[10], new float[1], 1,
                10, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.train(config("convnet", "adam", 0.01f, new int[] {4}, "seed"), CpuDevice.get(), flat,
                        new Trainer.Listener() {}));
        assertTrue(e.getMessage().contains("at least 5x5"), e.getMessage());
    }
}
