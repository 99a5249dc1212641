package jgrad.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jgrad.train.TrainData;

/**
 * The book's 6.1.8 (optimizer_compare_mnist.py): SGD, Momentum, AdaGrad and Adam train the same
 * 5-layer net (784 → 4 × 100 ReLU → 10, He init) on MNIST, 2 000 iterations of 128 images drawn at
 * random, with the book's default rates (0.01, 0.01 with μ 0.9, 0.01, 0.001); the loss curves,
 * smoothed as the book smooths them, in one figure. Every optimizer starts from the same weights
 * and sees the same minibatches (both follow the seed), so the curves differ by the update rule alone.
 */
final class OptimizersExperiment implements Experiment {
    static final List<MnistRuns.Variant> VARIANTS = List.of(
            new MnistRuns.Variant("SGD", "sgd", 0.01f, "he", false),
            new MnistRuns.Variant("Momentum", "momentum", 0.01f, "he", false),
            new MnistRuns.Variant("AdaGrad", "adagrad", 0.01f, "he", false),
            new MnistRuns.Variant("Adam", "adam", 0.001f, "he", false));
    /** Steps whose mean loss is a run's final loss. */
    static final int TAIL = 100;

    @Override
    public String name() {
        return "optimizers";
    }

    @Override
    public String summary() {
        return "SGD, Momentum, AdaGrad, Adam on MNIST, loss curves (book 6.1.8)";
    }

    @Override
    public Result run(Settings settings) throws IOException {
        MnistRuns.Net net = MnistRuns.bookNet(settings);
        TrainData data = MnistRuns.bookData(settings);
        int tail = Math.min(TAIL, net.steps() / 10);
        settings.progress().printf("optimizers: 784-100-100-100-100-10 ReLU net, He init, %d iterations of batch %d "
                + "on %d MNIST images, one run per optimizer%n", net.steps(), net.batch(), data.trainCount());
        settings.progress().flush();
        Table table = new Table("optimizer", "lr", "first loss", "final loss", "test accuracy");
        List<Map<String, Object>> runs = new ArrayList<>();
        Map<String, double[][]> curves = new LinkedHashMap<>();
        for (MnistRuns.Variant v : VARIANTS) {
            MnistRuns.Outcome o = MnistRuns.run(settings, name(), net, v, data);
            double first = MnistRuns.headMean(o.losses(), tail);
            double last = MnistRuns.tailMean(o.losses(), tail);
            double[] smoothed = MnistRuns.smooth(o.losses());
            table.add(v.label(), v.lr(), f4(first), f4(last), f4(o.testAccuracy()));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v.label());
            m.put("optimizer", v.optimizer());
            m.put("learning_rate", v.lr());
            m.put("first_loss", first);
            m.put("final_loss", last);
            m.put("test_accuracy", o.testAccuracy());
            m.put("loss", o.losses());
            m.put("smoothed_loss", smoothed);
            runs.add(m);
            double[] xs = MnistRuns.iterations(smoothed.length);  // all steps, unless the run diverged
            curves.put(v.label() + " (lr " + v.lr() + ")", new double[][] {xs, smoothed});
        }
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("network", "784-100-100-100-100-10 ReLU, He init (the book's MultiLayerNet)");
        numbers.put("iterations", net.steps());
        numbers.put("batch", net.batch());
        numbers.put("train_images", data.trainCount());
        numbers.put("test_images", data.testCount());
        numbers.put("seed", settings.seed());
        numbers.put("final_loss_is_mean_of_last_steps", tail);
        numbers.put("smoothing", "the book's smooth_curve: Kaiser window of " + MnistRuns.SMOOTH_WINDOW + ", beta 2");
        numbers.put("runs", runs);
        List<String> figures = new ArrayList<>();
        Path png = settings.figure("optimizers-loss.png");
        if (png != null) {
            Charts.lineChart(png, "Optimizers on MNIST: smoothed training loss, 5-layer ReLU net (book 6.1.8)",
                    "iterations", "loss (cross-entropy)", curves);
            figures.add("optimizers-loss.png");
        }
        String title = String.format(Locale.ROOT, "Optimizers on MNIST, %d iterations: first and final loss are the "
                + "means of the first and the last %d steps' minibatch losses", net.steps(), tail);
        return new Result(title, table, numbers, figures);
    }

    static String f4(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
