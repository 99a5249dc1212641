package jgrad.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jgrad.train.EpochStats;
import jgrad.train.RunOptions;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.Trainer;

/**
 * The book's 6.4: a 7-layer net (six hidden ReLU layers of 100, He init) trained on only 300 MNIST
 * images by SGD (lr 0.01, batch 100) for 200 epochs memorises them, training accuracy near 1 while
 * test accuracy stays far below ({@code overfit_weight_decay.py} with λ = 0); weight decay λ = 0.1
 * and, separately, dropout 0.2 ({@code overfit_dropout.py}) narrow that gap. Each run is the
 * engine's {@link Trainer} measuring both splits after every epoch. --quick trains 100 epochs and
 * tests on the first 1 000 test images. The numbers hold no timings, so a seed gives the same file.
 */
final class OverfitExperiment implements Experiment {
    static final int TRAIN_IMAGES = 300;
    static final int[] HIDDEN = {100, 100, 100, 100, 100, 100};
    static final float LEARNING_RATE = 0.01f;
    static final int BATCH = 100;
    static final int EPOCHS = 200;
    static final int QUICK_EPOCHS = 100;
    static final int QUICK_TEST_IMAGES = 1000;
    /** The gap is averaged over this last fraction of the epochs, so one noisy epoch does not decide it. */
    static final double LATE_FRACTION = 0.1;

    /** One of the three runs: what regularises it. */
    record Run(String key, String label, float weightDecay, float dropout) {}

    static final List<Run> RUNS = List.of(
            new Run("plain", "no regularisation", 0f, 0f),
            new Run("weight-decay", "weight decay λ = 0.1", 0.1f, 0f),
            new Run("dropout", "dropout 0.2", 0f, 0.2f));

    @Override
    public String name() {
        return "overfit";
    }

    @Override
    public String summary() {
        return "300 MNIST images, 7-layer net: train vs test accuracy, plain, with weight decay, with dropout "
                + "(book 6.4)";
    }

    /** Accuracy on both splits after every epoch. */
    record Curves(double[] train, double[] test) {
        /** Mean of train − test over the {@link #lateEpochs} last epochs. */
        double lateGap() {
            int n = lateEpochs(train.length);
            double sum = 0;
            for (int e = train.length - n; e < train.length; e++) {
                sum += train[e] - test[e];
            }
            return sum / n;
        }

        double bestTest() {
            return java.util.Arrays.stream(test).max().orElse(Double.NaN);
        }
    }

    /** The last {@link #LATE_FRACTION} of the epochs, at least one. */
    static int lateEpochs(int epochs) {
        return Math.max(1, (int) Math.round(epochs * LATE_FRACTION));
    }

    @Override
    public Result run(Settings settings) throws IOException {
        int epochs = settings.quick() ? QUICK_EPOCHS : EPOCHS;
        TrainData data = MnistRuns.mnist(settings.dataDir(), TRAIN_IMAGES, settings.quick() ? QUICK_TEST_IMAGES : 0);
        settings.progress().printf("overfit: 784-%s-10 ReLU net (He init), SGD lr %s, batch %d, %d epochs on %d "
                + "training images, tested on %d%n", hiddenText(), LEARNING_RATE, BATCH, epochs, data.trainCount(),
                data.testCount());
        Map<Run, Curves> curves = new LinkedHashMap<>();
        for (Run run : RUNS) {
            curves.put(run, train(run, settings, data, epochs));
        }
        List<Map<String, Object>> runs = new ArrayList<>();
        Table table = new Table("run", "weight decay", "dropout", "train acc", "test acc", "gap (last 10%)",
                "best test acc");
        for (Map.Entry<Run, Curves> e : curves.entrySet()) {
            Run run = e.getKey();
            Curves c = e.getValue();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", run.key());
            r.put("label", run.label());
            r.put("weight_decay", run.weightDecay());
            r.put("dropout", run.dropout());
            r.put("final_train_accuracy", c.train()[epochs - 1]);
            r.put("final_test_accuracy", c.test()[epochs - 1]);
            r.put("late_gap", c.lateGap());
            r.put("best_test_accuracy", c.bestTest());
            r.put("train_accuracy_per_epoch", c.train());
            r.put("test_accuracy_per_epoch", c.test());
            runs.add(r);
            table.add(run.key(), run.weightDecay(), run.dropout(), f4(c.train()[epochs - 1]), f4(c.test()[epochs - 1]),
                    f4(c.lateGap()), f4(c.bestTest()));
        }
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("network", "784-" + hiddenText() + "-10 ReLU, He init, SGD lr " + LEARNING_RATE + ", batch "
                + BATCH);
        numbers.put("train_images", data.trainCount());
        numbers.put("test_images", data.testCount());
        numbers.put("epochs", epochs);
        numbers.put("seed", settings.seed());
        numbers.put("late_epochs", lateEpochs(epochs));
        numbers.put("runs", runs);
        List<String> figures = settings.out() == null ? List.of() : draw(settings, curves, data, epochs);
        List<String> gaps = new ArrayList<>();
        curves.forEach((run, c) -> gaps.add(String.format(Locale.ROOT, "%.3f %s", c.lateGap(), run.label())));
        String title = String.format(Locale.ROOT, "Overfitting (book 6.4): %d training images, %d epochs; train - test "
                + "accuracy over the last %d epochs: %s", data.trainCount(), epochs, lateEpochs(epochs),
                String.join(", ", gaps));
        return new Result(title, table, numbers, figures);
    }

    private static Curves train(Run run, Settings settings, TrainData data, int epochs) {
        TrainConfig cfg = TrainConfig.builder().steps(0).epochs(epochs).batchSize(BATCH).lr(LEARNING_RATE)
                .activation("relu").init("he").hidden(HIDDEN).weightDecay(run.weightDecay()).dropout(run.dropout())
                .seed(settings.seed()).logEvery(Integer.MAX_VALUE).build();
        double[] train = new double[epochs];
        double[] test = new double[epochs];
        int every = Math.max(1, epochs / 10);
        settings.progress().printf("%s (weight decay %s, dropout %s):%n", run.label(), run.weightDecay(),
                run.dropout());
        settings.progress().flush();
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void onEpoch(EpochStats epoch, int totalEpochs) {
                train[epoch.epoch() - 1] = epoch.trainAccuracy();
                test[epoch.epoch() - 1] = epoch.testAccuracy();
                if (epoch.epoch() % every == 0 || epoch.epoch() == totalEpochs) {
                    settings.progress().printf(Locale.ROOT, "  epoch %d/%d: train %.4f, test %.4f%n", epoch.epoch(),
                            totalEpochs, epoch.trainAccuracy(), epoch.testAccuracy());
                    settings.progress().flush();
                }
            }
        };
        Trainer.train(cfg, settings.device(), data, listener, RunOptions.NONE.withTrainAccuracy()).close();
        return new Curves(train, test);
    }

    private static List<String> draw(Settings settings, Map<Run, Curves> curves, TrainData data, int epochs)
            throws IOException {
        List<String> figures = new ArrayList<>();
        double[] xs = XorExperiment.epochAxis(epochs);
        Map<String, double[][]> gaps = new LinkedHashMap<>();
        for (Map.Entry<Run, Curves> e : curves.entrySet()) {
            Run run = e.getKey();
            Curves c = e.getValue();
            Map<String, double[][]> series = new LinkedHashMap<>();
            series.put("train (" + data.trainCount() + " images)", new double[][] {xs, c.train()});
            series.put("test (" + data.testCount() + " images)", new double[][] {xs, c.test()});
            String file = "overfit-" + run.key() + ".png";
            Charts.lineChart(settings.figure(file), "Overfitting, " + run.label() + ": 7-layer net on "
                    + data.trainCount() + " MNIST images", "epoch", "accuracy", series);
            figures.add(file);
            double[] gap = new double[epochs];
            for (int i = 0; i < epochs; i++) {
                gap[i] = c.train()[i] - c.test()[i];
            }
            gaps.put(run.label(), new double[][] {xs, gap});
        }
        Charts.lineChart(settings.figure("overfit-gap.png"),
                "Overfitting: the train - test accuracy gap per epoch, with and without regularisation",
                "epoch", "train accuracy - test accuracy", gaps);
        figures.add("overfit-gap.png");
        return figures;
    }

    private static String hiddenText() {
        return HIDDEN[0] + "x" + HIDDEN.length;
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
