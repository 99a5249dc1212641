package jgrad.train;

import java.util.Arrays;
import java.util.SplittableRandom;
import jgrad.data.ImageShape;
import jgrad.data.Normalization;
import jgrad.device.Device;

/**
 * Milliseconds per training step of a job on a device, on synthetic MNIST-shaped data (the step
 * costs the same whatever the pixels are). Each repeat is a fresh {@link Trainer#train} run whose
 * loop time alone is counted; the first run is a warm-up for the JIT and the pools.
 */
public final class StepBench {
    public record Timing(String job, String device, int batch, int steps, double medianMs, double minMs,
                         double maxMs) {}

    private StepBench() {}

    public static TrainData syntheticMnist(int trainCount, long seed) {
        return synthetic(new ImageShape(1, 28, 28), 10, trainCount, seed);
    }

    /** Random images of {@code shape} with random labels: a data set to time (or warm up) a job on. */
    public static TrainData synthetic(ImageShape shape, int classes, int trainCount, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int features = shape.pixels();
        float[] x = new float[trainCount * features];
        float[] y = new float[trainCount];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(256) / 255f;
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextInt(classes);
        }
        int test = Math.min(100, trainCount);
        return new TrainData(x, y, trainCount, Arrays.copyOf(x, test * features), Arrays.copyOf(y, test), test,
                features, classes, shape, Normalization.identity(shape.channels()));
    }

    /** Examples in the synthetic set: MNIST's training set, so the batch gather misses cache as it does there. */
    static final int EXAMPLES = 60_000;

    public static Timing measure(String job, TrainConfig base, Device device, int stepsPerRepeat, int repeats) {
        TrainConfig cfg = base.inStepsMode(stepsPerRepeat, base.batchSize(), stepsPerRepeat);
        TrainData data = syntheticMnist(Math.max(EXAMPLES, base.batchSize()), base.seed());
        Trainer.Listener quiet = new Trainer.Listener() {};
        Trainer.train(cfg, device, data, quiet).close(); // warm-up; close() returns device memory
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            try (TrainResult r = Trainer.train(cfg, device, data, quiet)) {
                ms[i] = r.msPerStep();
            }
        }
        Arrays.sort(ms);
        return new Timing(job, device.name(), base.batchSize(), stepsPerRepeat, ms[repeats / 2], ms[0],
                ms[repeats - 1]);
    }

    /**
     * Trains the job in runs of growing length until {@code seconds} have passed and the last two
     * runs' step times agree within 10% (or three times that long), so that what follows is timed
     * with compiled code: on the CPU the Vector API kernels reach full speed only after C2 has
     * compiled them, thousands of MLP steps in (a 35-step sample ran at twice the steady step
     * time). Returns the last run's milliseconds per step.
     */
    public static double warmUp(TrainConfig base, Device device, double seconds) {
        TrainData data = syntheticMnist(Math.max(EXAMPLES, base.batchSize()), base.seed());
        Trainer.Listener quiet = new Trainer.Listener() {};
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long cap = start + (long) (3 * seconds * 1e9);
        int steps = 2;
        double ms = Double.NaN;
        double previous;
        int runs = 0;
        do {
            previous = ms;
            TrainConfig cfg = base.inStepsMode(steps, base.batchSize(), steps);
            long t0 = System.nanoTime();
            try (TrainResult r = Trainer.train(cfg, device, data, quiet)) {
                ms = r.msPerStep();
            }
            // Runs of about a quarter second: long enough to time, short enough to stop near the budget.
            if ((System.nanoTime() - t0) / 1e9 < 0.25) {
                steps = Math.min(steps * 2, 100_000);
            }
            runs++;
        } while (runs < 2 || System.nanoTime() < end
                || (Math.abs(ms - previous) > 0.1 * previous && System.nanoTime() < cap));
        return ms;
    }
}
