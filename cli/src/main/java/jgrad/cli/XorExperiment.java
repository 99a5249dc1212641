package jgrad.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import jgrad.device.Device;
import jgrad.nn.Parameter;
import jgrad.optim.Optimizer;
import jgrad.optim.Sgd;
import jgrad.tensor.Arena;
import jgrad.tensor.GradMode;
import jgrad.tensor.Ops;
import jgrad.tensor.Tensor;

/**
 * Course 002's XOR by backpropagation: a 2-4-1 network with sigmoid hidden and output units, weights
 * N(0, 1) and biases 0 (the course's {@code np.random.randn}), trained on the four points by full-batch
 * gradient descent, lr 0.1, on ½·Σ(y − t)² (the course's update, {@code weights += X.T·delta·lr}, is
 * that sum's gradient), 10 000 epochs. Its loss is reported as the course prints it, the mean squared
 * error. Figures: the loss curve and the network's output over the unit square.
 */
final class XorExperiment implements Experiment {
    static final float[] INPUTS = {0, 0, 0, 1, 1, 0, 1, 1};
    static final float[] TARGETS = {0, 1, 1, 0};
    private static final int HIDDEN = 4;
    private static final float LEARNING_RATE = 0.1f;
    private static final int EPOCHS = 10_000;
    private static final int QUICK_EPOCHS = 5_000;
    /** Grid points per side of the decision-boundary map. */
    private static final int GRID = 101;

    @Override
    public String name() {
        return "xor";
    }

    @Override
    public String summary() {
        return "the 2-4-1 sigmoid net learning XOR by backprop (course 002)";
    }

    @Override
    public Result run(Settings settings) throws IOException {
        Device d = settings.device();
        SplittableRandom rng = new SplittableRandom(settings.seed());
        int epochs = settings.quick() ? QUICK_EPOCHS : EPOCHS;
        try (Tensor w1 = gaussian(d, rng, 2, HIDDEN); Tensor b1 = Tensor.zeros(d, HIDDEN).requiresGrad(true);
             Tensor w2 = gaussian(d, rng, HIDDEN, 1); Tensor b2 = Tensor.zeros(d, 1).requiresGrad(true);
             Tensor x = Tensor.of(d, INPUTS, 4, 2); Tensor t = Tensor.of(d, TARGETS, 4, 1)) {
            List<Parameter> params = List.of(new Parameter("fc1.weight", w1, false), new Parameter("fc1.bias", b1, false),
                    new Parameter("fc2.weight", w2, false), new Parameter("fc2.bias", b2, false));
            settings.progress().printf("xor: 2-%d-1 sigmoid net, %d epochs of gradient descent (lr %s)%n", HIDDEN,
                    epochs, LEARNING_RATE);
            settings.progress().flush();
            double[] mse = new double[epochs];
            try (Optimizer sgd = new Sgd(params, LEARNING_RATE, 0f)) {
                for (int epoch = 0; epoch < epochs; epoch++) {
                    try (Arena step = Arena.open()) {
                        sgd.zeroGrad();
                        Tensor error = Ops.sub(forward(x, w1, b1, w2, b2), t);
                        Tensor halfSumSquares = Ops.scale(Ops.sum(Ops.mul(error, error)), 0.5f);
                        halfSumSquares.backward();
                        sgd.step();
                        mse[epoch] = 2.0 * halfSumSquares.item() / TARGETS.length;
                    }
                }
            }
            float[] outputs = outputs(x, w1, b1, w2, b2);
            Map<String, Object> numbers = new LinkedHashMap<>();
            numbers.put("network", "2-" + HIDDEN + "-1 sigmoid, weights N(0,1), biases 0");
            numbers.put("epochs", epochs);
            numbers.put("learning_rate", LEARNING_RATE);
            numbers.put("seed", settings.seed());
            numbers.put("first_loss", mse[0]);
            numbers.put("final_loss", mse[epochs - 1]);
            Table table = new Table("x1", "x2", "target", "output", "class");
            List<Map<String, Object>> points = new ArrayList<>();
            int correct = 0;
            for (int i = 0; i < TARGETS.length; i++) {
                int predicted = outputs[i] >= 0.5f ? 1 : 0;
                correct += predicted == (int) TARGETS[i] ? 1 : 0;
                table.add((int) INPUTS[2 * i], (int) INPUTS[2 * i + 1], (int) TARGETS[i],
                        String.format(java.util.Locale.ROOT, "%.4f", outputs[i]), predicted);
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("input", new float[] {INPUTS[2 * i], INPUTS[2 * i + 1]});
                point.put("target", (int) TARGETS[i]);
                point.put("output", outputs[i]);
                point.put("predicted", predicted);
                points.add(point);
            }
            numbers.put("points", points);
            numbers.put("correct", correct);
            numbers.put("loss_per_epoch", mse);
            List<String> figures = new ArrayList<>();
            Path lossPng = settings.figure("xor-loss.png");
            if (lossPng != null) {
                Charts.lineChart(lossPng, "XOR: mean squared error per epoch (2-4-1 sigmoid net, lr 0.1)", "epoch",
                        "mean squared error", Map.of("training loss", new double[][] {epochAxis(epochs), mse}));
                figures.add("xor-loss.png");
                Path boundaryPng = settings.figure("xor-boundary.png");
                FieldCharts.heatMap(boundaryPng, "XOR: the network's output over the unit square after "
                                + epochs + " epochs", "x1", "x2", boundary(d, w1, b1, w2, b2), "output",
                        trainingPoints());
                figures.add("xor-boundary.png");
            }
            String title = String.format(java.util.Locale.ROOT, "XOR after %d epochs: %d of 4 points right, "
                    + "mean squared error %.4f (first epoch %.4f)", epochs, correct, mse[epochs - 1], mse[0]);
            return new Result(title, table, numbers, figures);
        }
    }

    private static Tensor forward(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        return Ops.sigmoid(Ops.linear(Ops.sigmoid(Ops.linear(x, w1, b1)), w2, b2));
    }

    private static float[] outputs(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        try (Arena a = Arena.open(); GradMode off = GradMode.noGrad()) {
            return forward(x, w1, b1, w2, b2).toArray();
        }
    }

    /** The network's output on a {@value #GRID}² grid over [0, 1]², one batch. */
    private static FieldCharts.Grid boundary(Device d, Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        float[] inputs = new float[GRID * GRID * 2];
        for (int i = 0; i < GRID; i++) {
            for (int j = 0; j < GRID; j++) {
                inputs[2 * (i * GRID + j)] = j / (float) (GRID - 1);
                inputs[2 * (i * GRID + j) + 1] = i / (float) (GRID - 1);
            }
        }
        float[] out;
        try (Tensor x = Tensor.of(d, inputs, GRID * GRID, 2)) {
            out = outputs(x, w1, b1, w2, b2);
        }
        double[][] values = new double[GRID][GRID];
        for (int i = 0; i < GRID; i++) {
            for (int j = 0; j < GRID; j++) {
                values[i][j] = out[i * GRID + j];
            }
        }
        return new FieldCharts.Grid(0, 1, 0, 1, values);
    }

    private static Map<String, double[][]> trainingPoints() {
        Map<String, double[][]> points = new LinkedHashMap<>();
        points.put("XOR = 0: (0,0), (1,1)", new double[][] {{0, 1}, {0, 1}});
        points.put("XOR = 1: (0,1), (1,0)", new double[][] {{0, 1}, {1, 0}});
        return points;
    }

    private static Tensor gaussian(Device d, SplittableRandom rng, int rows, int cols) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian();
        }
        return Tensor.of(d, w, rows, cols).requiresGrad(true);
    }

    static double[] epochAxis(int n) {
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = i + 1;
        }
        return xs;
    }
}
