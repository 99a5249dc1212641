package jgrad.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import jgrad.data.Iris;
import jgrad.device.Device;
import jgrad.nn.Init;
import jgrad.nn.Mlp;
import jgrad.nn.Sequential;
import jgrad.optim.Adam;
import jgrad.tensor.Arena;
import jgrad.tensor.GradMode;
import jgrad.tensor.NnOps;
import jgrad.tensor.Tensor;

/**
 * Course 002's Iris classifier: 4 → 10 (ReLU) → 3, softmax cross-entropy, Adam lr 0.01, batch 16,
 * 100 epochs, on features standardised with the training split's mean and standard deviation. The
 * split is stratified and fixed (10 of each species held out for testing, chosen by a constant
 * seed, as the course's {@code train_test_split(test_size=0.2, stratify=y, random_state=42)}), so
 * {@code --seed} changes the initial weights and the batch order, never which flowers are tested.
 */
final class IrisExperiment implements Experiment {
    private static final int HIDDEN = 10;
    private static final float LEARNING_RATE = 0.01f;
    private static final int BATCH = 16;
    private static final int EPOCHS = 100;
    private static final int QUICK_EPOCHS = 50;
    private static final int TEST_PER_SPECIES = 10;
    private static final long SPLIT_SEED = 42;

    @Override
    public String name() {
        return "iris";
    }

    @Override
    public String summary() {
        return "an MLP on Iris, fixed stratified split (course 002)";
    }

    /** Row indices of the training and the test split. */
    record Split(int[] train, int[] test) {}

    /** {@value #TEST_PER_SPECIES} rows of each species for testing, the rest for training. */
    static Split split(Iris iris) {
        SplittableRandom rng = new SplittableRandom(SPLIT_SEED);
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (int species = 0; species < Iris.SPECIES.size(); species++) {
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < iris.count(); i++) {
                if (iris.labels()[i] == species) {
                    rows.add(i);
                }
            }
            shuffle(rows, rng);
            test.addAll(rows.subList(0, TEST_PER_SPECIES));
            train.addAll(rows.subList(TEST_PER_SPECIES, rows.size()));
        }
        return new Split(train.stream().mapToInt(Integer::intValue).sorted().toArray(),
                test.stream().mapToInt(Integer::intValue).sorted().toArray());
    }

    @Override
    public Result run(Settings settings) throws IOException {
        Iris iris = Iris.load();
        Split split = split(iris);
        int f = Iris.FEATURES.size();
        float[][] standard = standardise(iris, split.train());
        Device d = settings.device();
        int epochs = settings.quick() ? QUICK_EPOCHS : EPOCHS;
        SplittableRandom rng = new SplittableRandom(settings.seed());
        settings.progress().printf("iris: 4-%d-3 ReLU net, %d training and %d test flowers, %d epochs of Adam "
                + "(lr %s, batch %d)%n", HIDDEN, split.train().length, split.test().length, epochs, LEARNING_RATE, BATCH);
        settings.progress().flush();
        double[] lossPerEpoch = new double[epochs];
        double[] trainAccuracy = new double[epochs];
        double[] testAccuracy = new double[epochs];
        int[] testPredicted;
        try (Sequential net = Mlp.build(d, f, new int[] {HIDDEN}, Iris.SPECIES.size(), "relu", Init.HE, 0f, false,
                rng, settings.seed());
             Adam adam = new Adam(net.parameters(), LEARNING_RATE, 0.9f, 0.999f, 1e-8f, 0f)) {
            int[] order = split.train().clone();
            for (int epoch = 0; epoch < epochs; epoch++) {
                shuffle(order, rng);
                double lossSum = 0;
                for (int start = 0; start < order.length; start += BATCH) {
                    int[] rows = Arrays.copyOfRange(order, start, Math.min(order.length, start + BATCH));
                    try (Arena step = Arena.open(); Tensor x = Tensor.of(d, gather(standard, rows), rows.length, f);
                         Tensor y = Tensor.of(d, labels(iris, rows), rows.length)) {
                        adam.zeroGrad();
                        Tensor loss = NnOps.softmaxCrossEntropy(net.forward(x), y);
                        loss.backward();
                        adam.step();
                        lossSum += loss.item() * rows.length;
                    }
                }
                lossPerEpoch[epoch] = lossSum / order.length;
                trainAccuracy[epoch] = accuracy(iris, split.train(), predict(net, d, standard, split.train()));
                testAccuracy[epoch] = accuracy(iris, split.test(), predict(net, d, standard, split.test()));
            }
            testPredicted = predict(net, d, standard, split.test());
        }
        int classes = Iris.SPECIES.size();
        int[][] confusion = new int[classes][classes];
        for (int i = 0; i < split.test().length; i++) {
            confusion[iris.labels()[split.test()[i]]][testPredicted[i]]++;
        }
        double finalTest = testAccuracy[epochs - 1];
        Table table = new Table("true \\ predicted", "setosa", "versicolor", "virginica", "recall");
        for (int t = 0; t < classes; t++) {
            table.add(Iris.SPECIES.get(t), confusion[t][0], confusion[t][1], confusion[t][2],
                    String.format(Locale.ROOT, "%.2f", confusion[t][t] / (double) Arrays.stream(confusion[t]).sum()));
        }
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("network", "4-" + HIDDEN + "-3 ReLU, He init, Adam lr " + LEARNING_RATE + ", batch " + BATCH);
        numbers.put("epochs", epochs);
        numbers.put("seed", settings.seed());
        numbers.put("data", Map.of("resource", Iris.RESOURCE, "sha256", Iris.SHA256));
        numbers.put("train_rows", split.train());
        numbers.put("test_rows", split.test());
        numbers.put("test_accuracy", finalTest);
        numbers.put("train_accuracy", trainAccuracy[epochs - 1]);
        numbers.put("final_loss", lossPerEpoch[epochs - 1]);
        numbers.put("classes", Iris.SPECIES);
        numbers.put("confusion_matrix", confusion);
        numbers.put("loss_per_epoch", lossPerEpoch);
        numbers.put("train_accuracy_per_epoch", trainAccuracy);
        numbers.put("test_accuracy_per_epoch", testAccuracy);
        List<String> figures = new ArrayList<>();
        Path lossPng = settings.figure("iris-loss.png");
        if (lossPng != null) {
            double[] xs = XorExperiment.epochAxis(epochs);
            Charts.lineChart(lossPng, "Iris: training loss per epoch (4-10-3 ReLU net, Adam lr 0.01, batch 16)",
                    "epoch", "loss (cross-entropy)", Map.of("training loss (mean over the epoch)",
                            new double[][] {xs, lossPerEpoch}));
            figures.add("iris-loss.png");
            Map<String, double[][]> curves = new LinkedHashMap<>();
            curves.put("train (" + split.train().length + " flowers)", new double[][] {xs, trainAccuracy});
            curves.put("test (" + split.test().length + " flowers)", new double[][] {xs, testAccuracy});
            Charts.lineChart(settings.figure("iris-accuracy.png"), "Iris: accuracy per epoch", "epoch", "accuracy",
                    curves);
            figures.add("iris-accuracy.png");
        }
        String title = String.format(Locale.ROOT, "Iris after %d epochs: test accuracy %.4f (%d of %d), train "
                + "accuracy %.4f; confusion matrix of the test split", epochs, finalTest,
                Math.round(finalTest * split.test().length), split.test().length, trainAccuracy[epochs - 1]);
        return new Result(title, table, numbers, figures);
    }

    /** Each feature shifted and scaled by the training rows' mean and (population) standard deviation. */
    private static float[][] standardise(Iris iris, int[] trainRows) {
        int f = Iris.FEATURES.size();
        double[] mean = new double[f];
        double[] sq = new double[f];
        for (int r : trainRows) {
            for (int j = 0; j < f; j++) {
                mean[j] += iris.features()[r * f + j] / (double) trainRows.length;
            }
        }
        for (int r : trainRows) {
            for (int j = 0; j < f; j++) {
                double dev = iris.features()[r * f + j] - mean[j];
                sq[j] += dev * dev / trainRows.length;
            }
        }
        float[][] out = new float[iris.count()][f];
        for (int r = 0; r < iris.count(); r++) {
            for (int j = 0; j < f; j++) {
                out[r][j] = (float) ((iris.features()[r * f + j] - mean[j]) / Math.sqrt(sq[j]));
            }
        }
        return out;
    }

    private static int[] predict(Sequential net, Device d, float[][] standard, int[] rows) {
        int f = Iris.FEATURES.size();
        int classes = Iris.SPECIES.size();
        float[] logits;
        try (Arena a = Arena.open(); GradMode off = GradMode.noGrad();
             Tensor x = Tensor.of(d, gather(standard, rows), rows.length, f)) {
            logits = net.forward(x).toArray();
        }
        int[] predicted = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[i * classes + c] > logits[i * classes + best]) {
                    best = c;
                }
            }
            predicted[i] = best;
        }
        return predicted;
    }

    private static double accuracy(Iris iris, int[] rows, int[] predicted) {
        int right = 0;
        for (int i = 0; i < rows.length; i++) {
            right += iris.labels()[rows[i]] == predicted[i] ? 1 : 0;
        }
        return right / (double) rows.length;
    }

    private static float[] gather(float[][] standard, int[] rows) {
        int f = Iris.FEATURES.size();
        float[] x = new float[rows.length * f];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(standard[rows[i]], 0, x, i * f, f);
        }
        return x;
    }

    private static float[] labels(Iris iris, int[] rows) {
        float[] y = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            y[i] = iris.labels()[rows[i]];
        }
        return y;
    }

    private static void shuffle(List<Integer> xs, SplittableRandom rng) {
        for (int i = xs.size() - 1; i > 0; i--) {
            java.util.Collections.swap(xs, i, rng.nextInt(i + 1));
        }
    }

    private static void shuffle(int[] xs, SplittableRandom rng) {
        for (int i = xs.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = xs[i];
            xs[i] = xs[j];
            xs[j] = t;
        }
    }
}
