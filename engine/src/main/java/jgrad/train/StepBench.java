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

    public static Timing measure(String job, TrainConfig base, Device device, int stepsPerRepeat, int repeats) {
        TrainConfig cfg = base.inStepsMode(stepsPerRepeat, base.batchSize(), stepsPerRepeat);
        TrainData data = syntheticMnist(Math.max(4096, base.batchSize()), base.seed());
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
}
