package jgrad.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jgrad.device.Device;
import jgrad.nn.Parameter;
import jgrad.optim.Optimizer;
import jgrad.tensor.Arena;
import jgrad.tensor.Ops;
import jgrad.tensor.Tensor;

/**
 * The book's two pictures of descent on a surface. 4.4.1: gradient descent on f = x0² + x1² from
 * (−3, 4), lr 0.1, 20 steps (the book's {@code gradient_method.py}; the gradient here is backprop's,
 * where the book takes central differences). 6.1.7: SGD (lr 0.95), Momentum (lr 0.1, μ 0.9), AdaGrad
 * (lr 1.5) and Adam (lr 0.3) on f(x, y) = x²/20 + y² from (−7, 2), 30 steps each (the book's
 * {@code optimizer_compare_naive.py}). Each point is a tensor the engine's optimizer updates from the
 * gradient autograd computes, so this draws what jgrad's optimizers do. Nothing here is random and
 * every run takes milliseconds, so the seed and --quick change nothing.
 */
final class GdExperiment implements Experiment {
    /** One descent: its optimizer and learning rate, the function's coefficients, start and steps. */
    record Run(String label, String optimizer, float lr, float[] coefficients, float[] start, int steps) {}

    static final float[] BOWL = {1f, 1f};
    static final float[] VALLEY = {1f / 20f, 1f};
    static final Run DESCENT = new Run("gradient descent", "sgd", 0.1f, BOWL, new float[] {-3f, 4f}, 20);
    static final List<Run> OPTIMIZERS = List.of(
            new Run("SGD", "sgd", 0.95f, VALLEY, new float[] {-7f, 2f}, 30),
            new Run("Momentum", "momentum", 0.1f, VALLEY, new float[] {-7f, 2f}, 30),
            new Run("AdaGrad", "adagrad", 1.5f, VALLEY, new float[] {-7f, 2f}, 30),
            new Run("Adam", "adam", 0.3f, VALLEY, new float[] {-7f, 2f}, 30));

    @Override
    public String name() {
        return "gd";
    }

    @Override
    public String summary() {
        return "gradient descent, and the paths of SGD, Momentum, AdaGrad, Adam (book 4.4.1, 6.1)";
    }

    @Override
    public Result run(Settings settings) throws IOException {
        Device d = settings.device();
        settings.progress().printf("gd: gradient descent on x0^2 + x1^2 (%d steps); SGD, Momentum, AdaGrad, Adam "
                + "on x^2/20 + y^2 (%d steps each)%n", DESCENT.steps(), OPTIMIZERS.get(0).steps());
        settings.progress().flush();
        Table table = new Table("run", "f", "lr", "steps", "end (x, y)", "f(end)", "y reversals", "path length");
        Map<String, Object> numbers = new LinkedHashMap<>();
        List<Map<String, Object>> runs = new ArrayList<>();
        double[][] descent = descend(d, DESCENT);
        runs.add(describe(DESCENT, descent, table));
        Map<String, double[][]> paths = new LinkedHashMap<>();
        for (Run run : OPTIMIZERS) {
            double[][] path = descend(d, run);
            runs.add(describe(run, path, table));
            paths.put(run.label() + " (lr " + run.lr() + ")", path);
        }
        numbers.put("runs", runs);
        List<String> figures = new ArrayList<>();
        Path descentPng = settings.figure("gd-descent.png");
        if (descentPng != null) {
            FieldCharts.pathsOverLevels(descentPng, "Gradient descent on f = x0^2 + x1^2 from (-3, 4), lr 0.1, "
                    + "20 steps (book 4.4.1)", "x0", "x1", new double[] {-3.5, 3.5}, new double[] {-4.5, 4.5},
                    levels(BOWL, new double[] {0.25, 1, 4, 9, 16, 25}),
                    Map.of("gradient descent (lr 0.1)", descent), new double[] {0, 0});
            figures.add("gd-descent.png");
            FieldCharts.pathsOverLevels(settings.figure("gd-optimizers.png"), "SGD, Momentum, AdaGrad, Adam on "
                    + "x^2/20 + y^2 from (-7, 2), 30 steps (book 6.1.7)", "x", "y",
                    new double[] {-10, 10}, new double[] {-5, 5},
                    levels(VALLEY, new double[] {0.05, 0.25, 0.75, 1.5, 2.5, 4, 6, 9, 13, 18}), paths,
                    new double[] {0, 0});
            figures.add("gd-optimizers.png");
        }
        String title = "Descent on x0^2 + x1^2 (book 4.4.1) and x^2/20 + y^2 (book 6.1.7): where each run ends, and "
                + "how often its y direction reverses (the zig-zag)";
        return new Result(title, table, numbers, figures);
    }

    /** The points visited, {xs, ys}, start included: {@code run.steps() + 1} of them. */
    static double[][] descend(Device d, Run run) {
        double[][] path = new double[2][run.steps() + 1];
        try (Tensor point = Tensor.of(d, run.start().clone(), 2).requiresGrad(true);
             Tensor coefficients = Tensor.of(d, run.coefficients(), 2);
             Optimizer optimizer = Optimizer.create(run.optimizer(), List.of(new Parameter("point", point, false)),
                     run.lr(), 0f)) {
            record(path, 0, point.toArray());
            for (int step = 1; step <= run.steps(); step++) {
                try (Arena a = Arena.open()) {
                    optimizer.zeroGrad();
                    Ops.sum(Ops.mul(coefficients, Ops.mul(point, point))).backward();
                    optimizer.step();
                }
                record(path, step, point.toArray());
            }
        }
        return path;
    }

    private static void record(double[][] path, int i, float[] xy) {
        path[0][i] = xy[0];
        path[1][i] = xy[1];
    }

    private static Map<String, Object> describe(Run run, double[][] path, Table table) {
        int last = run.steps();
        double endX = path[0][last];
        double endY = path[1][last];
        double fEnd = run.coefficients()[0] * endX * endX + run.coefficients()[1] * endY * endY;
        double fStart = run.coefficients()[0] * run.start()[0] * run.start()[0]
                + run.coefficients()[1] * run.start()[1] * run.start()[1];
        int reversals = reversals(path[1]);
        double length = 0;
        for (int i = 1; i <= last; i++) {
            length += Math.hypot(path[0][i] - path[0][i - 1], path[1][i] - path[1][i - 1]);
        }
        String f = run.coefficients() == BOWL ? "x0^2 + x1^2" : "x^2/20 + y^2";
        table.add(run.label(), f, run.lr(), run.steps(), String.format(Locale.ROOT, "(%.3f, %.3f)", endX, endY),
                String.format(Locale.ROOT, "%.4f", fEnd), reversals, String.format(Locale.ROOT, "%.2f", length));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", run.label());
        m.put("optimizer", run.optimizer());
        m.put("function", f);
        m.put("learning_rate", run.lr());
        m.put("steps", run.steps());
        m.put("f_start", fStart);
        m.put("f_end", fEnd);
        m.put("end", new double[] {endX, endY});
        m.put("y_reversals", reversals);
        m.put("path_length", length);
        m.put("xs", path[0]);
        m.put("ys", path[1]);
        return m;
    }

    /** How often the y step changes sign: SGD's zig-zag across the valley in the book's figure. */
    static int reversals(double[] ys) {
        int count = 0;
        double previous = 0;
        for (int i = 1; i < ys.length; i++) {
            double step = ys[i] - ys[i - 1];
            if (step != 0 && previous != 0 && Math.signum(step) != Math.signum(previous)) {
                count++;
            }
            if (step != 0) {
                previous = step;
            }
        }
        return count;
    }

    /** The level curves a·x² + b·y² = c for each c: ellipses, 181 points each. */
    private static List<double[][]> levels(float[] coefficients, double[] values) {
        List<double[][]> curves = new ArrayList<>();
        for (double c : values) {
            double[][] curve = new double[2][181];
            for (int i = 0; i <= 180; i++) {
                double t = 2 * Math.PI * i / 180;
                curve[0][i] = Math.sqrt(c / coefficients[0]) * Math.cos(t);
                curve[1][i] = Math.sqrt(c / coefficients[1]) * Math.sin(t);
            }
            curves.add(curve);
        }
        return curves;
    }
}
