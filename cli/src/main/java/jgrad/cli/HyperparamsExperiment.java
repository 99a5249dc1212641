package jgrad.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import jgrad.data.ImageSplit;
import jgrad.data.Normalization;
import jgrad.train.EpochStats;
import jgrad.train.RunOptions;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.Trainer;

/**
 * The book's 6.5 ({@code hyperparameter_optimization.py}): a random search of the learning rate,
 * 10^U[-6, -2], and the weight decay, 10^U[-8, -4], for the 7-layer net of 6.4 (six hidden ReLU
 * layers of 100, He init, SGD, batch 100) trained 50 epochs on 400 MNIST training images and
 * judged by its accuracy on 100 others: the validation split, a fifth of the first 500 training
 * images, shuffled. The test set is never read: only MNIST's training files are opened
 * ({@link Datasets#mnistTraining}), and the trainer's evaluation split is the validation split.
 * --quick runs 16 trials of 30 epochs. The numbers hold no timings, so a seed gives the same file.
 */
final class HyperparamsExperiment implements Experiment {
    static final int IMAGES = 500;
    static final int VALIDATION_IMAGES = IMAGES / 5;
    static final int BATCH = 100;
    static final int EPOCHS = 50;
    static final int TRIALS = 100;
    static final int QUICK_EPOCHS = 30;
    static final int QUICK_TRIALS = 16;
    static final double[] LR_EXPONENTS = {-6, -2};
    static final double[] DECAY_EXPONENTS = {-8, -4};
    /** The best trials the figure and the table show, as the book's graph. */
    static final int SHOWN = 20;

    @Override
    public String name() {
        return "hyperparams";
    }

    @Override
    public String summary() {
        return "random search of lr and weight decay on a validation split of the training set (book 6.5)";
    }

    /** What one trial drew: its rate, its decay and the seed of its initial weights and batches. */
    record Draw(int number, double lr, double weightDecay, long seed) {}

    /** One trial: what it drew and what it reached, per epoch, on the validation and the training split. */
    record Trial(Draw draw, double[] validation, double[] train) {
        /** The last epoch's validation accuracy, by which the book ranks the trials. */
        double finalValidation() {
            return validation[validation.length - 1];
        }

        double finalTrain() {
            return train[train.length - 1];
        }

        double lr() {
            return draw.lr();
        }

        double weightDecay() {
            return draw.weightDecay();
        }
    }

    @Override
    public Result run(Settings settings) throws IOException {
        int epochs = settings.quick() ? QUICK_EPOCHS : EPOCHS;
        int trials = settings.quick() ? QUICK_TRIALS : TRIALS;
        SplittableRandom rng = new SplittableRandom(settings.seed());
        ImageSplit mnistTrain = Datasets.mnistTraining(settings.dataDir());
        int[] order = permutation(IMAGES, rng);
        int[] validationRows = Arrays.copyOf(order, VALIDATION_IMAGES);
        TrainData data = split(mnistTrain, Arrays.copyOfRange(order, VALIDATION_IMAGES, IMAGES), validationRows);
        settings.progress().printf("hyperparams: %d trials of lr 10^U[%.0f,%.0f] and weight decay 10^U[%.0f,%.0f]; "
                + "784-%dx%d-10 ReLU net, SGD, batch %d, %d epochs on %d training images, validated on %d others "
                + "(the test set is not read)%n", trials, LR_EXPONENTS[0], LR_EXPONENTS[1], DECAY_EXPONENTS[0],
                DECAY_EXPONENTS[1], OverfitExperiment.HIDDEN[0], OverfitExperiment.HIDDEN.length, BATCH, epochs,
                data.trainCount(), data.testCount());
        settings.progress().flush();
        List<Trial> done = new ArrayList<>();
        for (int t = 1; t <= trials; t++) {
            // the book draws the decay first, then the rate
            double decay = (float) Math.pow(10, uniform(rng, DECAY_EXPONENTS));
            double lr = (float) Math.pow(10, uniform(rng, LR_EXPONENTS));
            Trial trial = train(new Draw(t, lr, decay, rng.nextLong()), settings, data, epochs);
            done.add(trial);
            settings.progress().printf(Locale.ROOT, "trial %d/%d: lr %.2e, weight decay %.2e: validation %.4f, "
                    + "train %.4f%n", t, trials, lr, decay, trial.finalValidation(), trial.finalTrain());
            settings.progress().flush();
        }
        List<Trial> ranked = done.stream().sorted(Comparator.comparingDouble(Trial::finalValidation).reversed()
                .thenComparingInt(t -> t.draw().number())).toList();
        List<Trial> shown = ranked.subList(0, Math.min(SHOWN, ranked.size()));
        Table table = new Table("rank", "trial", "val acc", "train acc", "lr", "weight decay");
        for (int r = 0; r < shown.size(); r++) {
            Trial t = shown.get(r);
            table.add(r + 1, t.draw().number(), f4(t.finalValidation()), f4(t.finalTrain()), sci(t.lr()),
                    sci(t.weightDecay()));
        }
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("network", "784-" + OverfitExperiment.HIDDEN[0] + "x" + OverfitExperiment.HIDDEN.length
                + "-10 ReLU, He init, SGD, batch " + BATCH);
        numbers.put("epochs", epochs);
        numbers.put("seed", settings.seed());
        numbers.put("lr_exponent_range", LR_EXPONENTS);
        numbers.put("weight_decay_exponent_range", DECAY_EXPONENTS);
        numbers.put("train_images", data.trainCount());
        numbers.put("validation_images", data.testCount());
        numbers.put("validation_rows", validationRows);
        numbers.put("evaluated_on", "a validation split of MNIST's first " + IMAGES + " training images; the test "
                + "files are never opened");
        List<Map<String, Object>> trialNumbers = new ArrayList<>();
        for (int r = 0; r < ranked.size(); r++) {
            trialNumbers.add(numbers(ranked.get(r), r + 1));
        }
        numbers.put("trials", trialNumbers);
        List<String> figures = settings.out() == null ? List.of() : draw(settings, shown, done);
        return new Result(title(ranked, epochs), table, numbers, figures);
    }

    private static Map<String, Object> numbers(Trial t, int rank) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rank", rank);
        m.put("trial", t.draw().number());
        m.put("lr", t.lr());
        m.put("weight_decay", t.weightDecay());
        m.put("seed", t.draw().seed());
        m.put("validation_accuracy", t.finalValidation());
        m.put("train_accuracy", t.finalTrain());
        m.put("validation_accuracy_per_epoch", t.validation());
        m.put("train_accuracy_per_epoch", t.train());
        return m;
    }

    /** The best trial, and (the book's step 3) the ranges the best fifth came from: where a next search looks. */
    private static String title(List<Trial> ranked, int epochs) {
        Trial best = ranked.get(0);
        List<Trial> top = ranked.subList(0, Math.max(1, ranked.size() / 5));
        return String.format(Locale.ROOT, "Hyper-parameter search (book 6.5): %d trials of %d epochs; best "
                + "validation accuracy %.4f (lr %s, weight decay %s); the best %d trials have lr %s to %s and weight "
                + "decay %s to %s", ranked.size(), epochs, best.finalValidation(), sci(best.lr()),
                sci(best.weightDecay()), top.size(), sci(min(top, Trial::lr)), sci(max(top, Trial::lr)),
                sci(min(top, Trial::weightDecay)), sci(max(top, Trial::weightDecay)));
    }

    private static Trial train(Draw draw, Settings settings, TrainData data, int epochs) {
        TrainConfig cfg = TrainConfig.builder().steps(0).epochs(epochs).batchSize(BATCH).lr((float) draw.lr())
                .activation("relu").init("he").hidden(OverfitExperiment.HIDDEN).weightDecay((float) draw.weightDecay())
                .seed(draw.seed()).logEvery(Integer.MAX_VALUE).build();
        double[] validation = new double[epochs];
        double[] train = new double[epochs];
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void onEpoch(EpochStats epoch, int totalEpochs) {
                validation[epoch.epoch() - 1] = epoch.testAccuracy();  // the evaluation split is the validation one
                train[epoch.epoch() - 1] = epoch.trainAccuracy();
            }
        };
        Trainer.train(cfg, settings.device(), data, listener, RunOptions.NONE.withTrainAccuracy()).close();
        return new Trial(draw, validation, train);
    }

    /** The chosen rows of MNIST's training split: a training and a validation split (the trainer's test one). */
    static TrainData split(ImageSplit mnistTrain, int[] trainingRows, int[] validationRows) {
        int features = mnistTrain.pixels();
        float[][] x = {new float[trainingRows.length * features], new float[validationRows.length * features]};
        float[][] y = {new float[trainingRows.length], new float[validationRows.length]};
        int[][] rows = {trainingRows, validationRows};
        for (int part = 0; part < 2; part++) {
            for (int i = 0; i < rows[part].length; i++) {
                System.arraycopy(mnistTrain.images(), rows[part][i] * features, x[part], i * features, features);
                y[part][i] = mnistTrain.labels()[rows[part][i]];
            }
        }
        return new TrainData(x[0], y[0], trainingRows.length, x[1], y[1], validationRows.length, features, 10,
                mnistTrain.shape(), Normalization.identity(mnistTrain.channels()));
    }

    private static List<String> draw(Settings settings, List<Trial> best, List<Trial> all) throws IOException {
        List<GridCharts.Panel> panels = new ArrayList<>();
        for (int r = 0; r < best.size(); r++) {
            Trial t = best.get(r);
            double[] xs = XorExperiment.epochAxis(t.validation().length);
            panels.add(new GridCharts.Panel(String.format(Locale.ROOT, "Best-%d: val %.3f, lr %s, wd %s", r + 1,
                    t.finalValidation(), brief(t.lr()), brief(t.weightDecay())),
                    List.of(new GridCharts.Curve("validation accuracy (" + VALIDATION_IMAGES + " held-out training "
                                    + "images)", xs, t.validation()),
                            new GridCharts.Curve("training accuracy (" + (IMAGES - VALIDATION_IMAGES) + " images)", xs,
                                    t.train()))));
        }
        GridCharts.draw(settings.figure("hyperparams-best.png"), GridCharts.Look.of("Random search: the best "
                + best.size() + " of " + all.size() + " trials, ranked by final validation accuracy", "epoch",
                "accuracy").sharedY(0, 1).columns(5), panels);
        double[] logLr = all.stream().mapToDouble(t -> Math.log10(t.lr())).toArray();
        double[] logDecay = all.stream().mapToDouble(t -> Math.log10(t.weightDecay())).toArray();
        double[] accuracy = all.stream().mapToDouble(Trial::finalValidation).toArray();
        FieldCharts.colouredPoints(settings.figure("hyperparams-scatter.png"), "Random search: " + all.size()
                + " trials, coloured by validation accuracy", "log10(learning rate)", "log10(weight decay)",
                new FieldCharts.Points(logLr, logDecay, accuracy), LR_EXPONENTS, DECAY_EXPONENTS, "val. acc");
        return List.of("hyperparams-best.png", "hyperparams-scatter.png");
    }

    private static double min(List<Trial> trials, java.util.function.ToDoubleFunction<Trial> value) {
        return trials.stream().mapToDouble(value).min().orElseThrow();
    }

    private static double max(List<Trial> trials, java.util.function.ToDoubleFunction<Trial> value) {
        return trials.stream().mapToDouble(value).max().orElseThrow();
    }

    private static double uniform(SplittableRandom rng, double[] range) {
        return range[0] + (range[1] - range[0]) * rng.nextDouble();
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String sci(double v) {
        return String.format(Locale.ROOT, "%.2e", v);
    }

    /** Two digits and a short exponent, for the small plots' titles: 4.9e-3. */
    static String brief(double v) {
        String s = String.format(Locale.ROOT, "%.1e", v);
        return s.replaceFirst("e([-+])0*(\\d)", "e$1$2").replace("e+", "e");
    }
}
