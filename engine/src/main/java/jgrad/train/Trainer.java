package jgrad.train;

import java.util.SplittableRandom;
import jgrad.device.Device;
import jgrad.device.DeviceOps;
import jgrad.nn.Init;
import jgrad.nn.Mlp;
import jgrad.nn.Sequential;
import jgrad.optim.Optimizer;
import jgrad.tensor.Arena;
import jgrad.tensor.GradMode;
import jgrad.tensor.NnOps;
import jgrad.tensor.Tensor;

/**
 * Runs a training job on one device. The data set is uploaded once; each step gathers its
 * minibatch on the device, so the only host-to-device traffic per step is the index vector, and
 * losses are read back only at log points.
 */
public final class Trainer {
    /** Progress callbacks; called on the training thread. */
    public interface Listener {
        default void onStart(int totalSteps) {}

        /** After every step (cheap: no device sync). */
        default void onStep(int step) {}

        /** Every {@code logEvery} steps and after the last one, with that step's loss. */
        default void onLog(int step, float loss) {}
    }

    private Trainer() {}

    public static Sequential buildModel(TrainConfig cfg, Device device, int features, int classes) {
        if (!cfg.model().equals("mlp")) {
            throw new IllegalArgumentException("unknown model '" + cfg.model() + "' (expected mlp)");
        }
        SplittableRandom initRng = new SplittableRandom(cfg.seed());
        return Mlp.build(device, features, cfg.hidden(), classes, cfg.activation(), Init.parse(cfg.init()),
                cfg.dropout(), cfg.batchNorm(), initRng, cfg.seed());
    }

    public static TrainResult train(TrainConfig cfg, Device device, TrainData data, Listener listener) {
        int steps = cfg.totalSteps(data.trainCount());
        int batch = cfg.batchSize();
        if (batch > data.trainCount()) {
            throw new IllegalArgumentException("--batch-size " + batch + " exceeds the " + data.trainCount()
                    + " training examples");
        }
        int features = data.features();
        Sequential model = buildModel(cfg, device, features, data.classes());
        boolean done = false;
        try (Optimizer optimizer = Optimizer.create(cfg.optimizer(), model.parameters(), cfg.lr(), cfg.weightDecay())) {
            TrainResult result = loop(cfg, device, data, listener, model, optimizer, steps, batch, features);
            done = true;
            return result;
        } finally {
            if (!done) {
                model.close();  // on a GPU nothing else would return its memory
            }
        }
    }

    private static TrainResult loop(TrainConfig cfg, Device device, TrainData data, Listener listener,
                                    Sequential model, Optimizer optimizer, int steps, int batch, int features) {
        DeviceOps ops = device.ops();
        float[] losses = new float[steps];
        try (Tensor trainX = Tensor.of(device, data.trainX(), data.trainCount(), features);
             Tensor trainY = Tensor.of(device, data.trainY(), data.trainCount());
             Tensor index = Tensor.zeros(device, batch);
             Tensor xb = Tensor.zeros(device, batch, features);
             Tensor yb = Tensor.zeros(device, batch);
             Tensor history = Tensor.zeros(device, steps)) {
            BatchSampler sampler = new BatchSampler(data.trainCount(), batch, cfg.epochs() > 0, cfg.seed() + 1);
            float[] indexHost = new float[batch];
            listener.onStart(steps);
            model.train(true);
            int logged = 0;
            // The uploads above are queued; the clock starts when the device has them.
            device.synchronize();
            long start = System.nanoTime();
            for (int step = 0; step < steps; step++) {
                sampler.next(indexHost);
                device.copyIn(indexHost, 0, index.storage(), 0, batch);
                try (Arena arena = Arena.open()) {
                    ops.gatherRows(trainX.storage(), index.storage(), xb.storage(), batch, features);
                    ops.gatherRows(trainY.storage(), index.storage(), yb.storage(), batch, 1);
                    Tensor loss = NnOps.softmaxCrossEntropy(model.forward(xb), yb);
                    optimizer.zeroGrad();
                    loss.backward();
                    optimizer.step();
                    ops.copy(loss.storage(), 0, history.storage(), step, 1);
                }
                listener.onStep(step + 1);
                if ((step + 1) % cfg.logEvery() == 0 || step + 1 == steps) {
                    device.copyOut(history.storage(), logged, losses, logged, step + 1 - logged);
                    logged = step + 1;
                    float loss = losses[step];
                    if (!Float.isFinite(loss)) {
                        throw new TrainingDivergedException("loss became " + loss + " at step " + (step + 1)
                                + " (first non-finite step " + (firstNonFinite(losses, step) + 1)
                                + "); try a smaller --lr");
                    }
                    listener.onLog(step + 1, loss);
                }
            }
            device.synchronize();
            double seconds = (System.nanoTime() - start) / 1e9;
            double accuracy = evaluate(model, device, data.testX(), data.testY(), data.testCount(), features);
            return new TrainResult(device.name(), steps, seconds, losses[steps - 1], accuracy, losses, model);
        }
    }

    private static int firstNonFinite(float[] losses, int upTo) {
        for (int i = 0; i <= upTo; i++) {
            if (!Float.isFinite(losses[i])) {
                return i;
            }
        }
        return upTo;
    }

    /** Classification accuracy in eval mode, in chunks so memory stays bounded. */
    public static double evaluate(Sequential model, Device device, float[] x, float[] y, int count, int features) {
        final int chunk = 1000;
        model.train(false);
        int correct = 0;
        float[] pred = new float[chunk];
        try (GradMode g = GradMode.noGrad()) {
            for (int from = 0; from < count; from += chunk) {
                int n = Math.min(chunk, count - from);
                float[] rows = java.util.Arrays.copyOfRange(x, from * features, (from + n) * features);
                try (Arena arena = Arena.open(); Tensor xb = Tensor.of(device, rows, n, features);
                     Tensor out = Tensor.zeros(device, n)) {
                    Tensor logits = model.forward(xb);
                    device.ops().argmaxRows(logits.storage(), out.storage(), n, logits.dim(1));
                    device.copyOut(out.storage(), 0, pred, 0, n);
                }
                for (int i = 0; i < n; i++) {
                    if (pred[i] == y[from + i]) {
                        correct++;
                    }
                }
            }
        } finally {
            model.train(true);
        }
        return count == 0 ? 0 : (double) correct / count;
    }
}
