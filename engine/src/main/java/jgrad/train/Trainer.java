package jgrad.train;

import java.util.Arrays;
import java.util.SplittableRandom;
import jgrad.data.Augment;
import jgrad.data.ImageShape;
import jgrad.device.Device;
import jgrad.device.DeviceOps;
import jgrad.nn.ConvNet;
import jgrad.nn.DeepConvNet;
import jgrad.nn.Init;
import jgrad.nn.Mlp;
import jgrad.nn.ResNet;
import jgrad.nn.Sequential;
import jgrad.optim.Optimizer;
import jgrad.tensor.Arena;
import jgrad.tensor.GradMode;
import jgrad.tensor.NnOps;
import jgrad.tensor.Tensor;

/**
 * Runs a training job on one device. The data set is uploaded once; each step gathers its
 * minibatch on the device, so the only host-to-device traffic per step is the index vector, and
 * losses are read back only at log points and epoch ends. With augmentation the minibatch is
 * gathered and augmented on the host instead and uploaded whole (a host step, see {@link Augment}).
 * Every step's loss and gradients are checked for NaN and infinities ({@link NonFiniteCheck}).
 *
 * <p>After every epoch the model is evaluated on the test split (and, with
 * {@link RunOptions#trainAccuracy}, on the training split), early stopping looks at the
 * epoch's mean loss, and with {@link RunOptions#checkpointDir} a {@link Checkpoint} is written.
 */
public final class Trainer {
    /** Progress callbacks; called on the training thread. */
    public interface Listener {
        default void onStart(int totalSteps) {}

        /** After every step (cheap: no device sync). */
        default void onStep(int step) {}

        /** Every {@code logEvery} steps and after the last one, with that step's loss. */
        default void onLog(int step, float loss) {}

        /** After each epoch's evaluation. */
        default void onEpoch(EpochStats epoch, int totalEpochs) {}

        /**
         * With {@code --on-nan skip}: step {@code step} (1-based) was not applied; {@code what} names the
         * fault. Rate-limited: the first {@value NonFiniteCheck#REPORTED_SKIPS} skips, then every
         * {@value NonFiniteCheck#REPORT_EVERY}th.
         */
        default void onSkippedStep(int step, String what) {}

        /**
         * Writes an epoch's checkpoint (only with {@link RunOptions#checkpointDir}): {@code write} writes
         * it and returns the run so far, as the final result would describe it, with the test-set
         * evaluation of the checkpointed model; its {@code model} is null (the live model trains on)
         * and {@code complete} false. A listener may wrap the write, to keep the outputs of completed
         * epochs current or to keep an interrupt from reporting while a checkpoint is half written.
         */
        default void atCheckpoint(java.util.function.Supplier<TrainResult> write) {
            write.get();
        }
    }

    private Trainer() {}

    /**
     * The network {@code cfg} names, for examples of {@code input} shape (the MLP flattens it; the
     * image models view each row as channels × height × width). Weights are drawn from cfg.seed().
     */
    public static Sequential buildModel(TrainConfig cfg, Device device, ImageShape input, int classes) {
        SplittableRandom initRng = new SplittableRandom(cfg.seed());
        Init init = Init.parse(cfg.init());
        return switch (cfg.model()) {
            case "mlp" -> Mlp.build(device, input.pixels(), cfg.hidden(), classes, cfg.activation(), init,
                    cfg.dropout(), cfg.batchNorm(), initRng, cfg.seed());
            case "convnet" -> ConvNet.simple(device, input, cfg.hidden(), classes, cfg.activation(), init, initRng);
            case "deepconvnet" -> DeepConvNet.build(device, input, cfg.hidden(), classes, cfg.activation(), init, initRng,
                    cfg.seed());
            case "resnet8" -> ResNet.resnet8(device, input, classes, ResNet.Stem.parse(cfg.stem()), init, initRng);
            case "resnet18" -> ResNet.resnet18(device, input, classes, ResNet.Stem.parse(cfg.stem()), init, initRng);
            default -> throw new IllegalArgumentException("unknown model '" + cfg.model() + "' (expected "
                    + TrainConfig.MODELS + ")");
        };
    }

    public static TrainResult train(TrainConfig cfg, Device device, TrainData data, Listener listener) {
        return train(cfg, device, data, listener, RunOptions.NONE);
    }

    public static TrainResult train(TrainConfig cfg, Device device, TrainData data, Listener listener, RunOptions run) {
        return train(cfg, device, data, listener, run, model -> {});
    }

    /** {@code afterBuild} sees the freshly built model (tests use it to plant weights that overflow). */
    static TrainResult train(TrainConfig cfg, Device device, TrainData data, Listener listener, RunOptions run,
                             java.util.function.Consumer<Sequential> afterBuild) {
        int steps = cfg.totalSteps(data.trainCount());
        int batch = cfg.batchSize();
        if (batch > data.trainCount()) {
            throw new IllegalArgumentException("--batch-size " + batch + " exceeds the " + data.trainCount()
                    + " training examples");
        }
        int features = data.features();
        int stepsPerEpoch = cfg.stepsPerEpoch(data.trainCount());
        int epochs = cfg.totalEpochs(data.trainCount());
        int tMax = cfg.tMax() > 0 ? cfg.tMax() : epochs;
        Augment augment = Augment.of(cfg.augment(), data.shape(), data.normalization());
        if (run.resume() != null) {
            run.resume().checkTensors(data.shape(), data.classes());  // before a model of its config's size exists
        }
        Sequential model = buildModel(cfg, device, data.shape(), data.classes());
        if (run.initialWeights() != null) {
            try {
                run.initialWeights().copyInto(model);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        }
        afterBuild.accept(model);
        Optimizer optimizer = Optimizer.create(cfg.optimizer(), model.parameters(), cfg.lr(), cfg.momentum(),
                cfg.weightDecay());
        boolean succeeded = false;
        try {
            TrainState state = new TrainState(steps, cfg);
            if (run.resume() != null) {
                run.resume().restoreRun(model, optimizer, state, cfg);
            }
            DeviceOps ops = device.ops();
            float[] losses = state.losses;
            try (Tensor trainX = Tensor.of(device, data.trainX(), data.trainCount(), features);
                 Tensor trainY = Tensor.of(device, data.trainY(), data.trainCount());
                 Tensor index = Tensor.zeros(device, batch);
                 Tensor xb = Tensor.zeros(device, batch, features);
                 Tensor yb = Tensor.zeros(device, batch);
                 NonFiniteCheck check = new NonFiniteCheck(cfg, device, model, state, stepsPerEpoch, run)) {
                BatchSampler sampler = new BatchSampler(data.trainCount(), batch, cfg.epochs() > 0, cfg.seed() + 1);
                sampler.skip(state.step);
                float[] indexHost = new float[batch];
                float[] batchHost = augment.isNone() ? null : new float[jgrad.tensor.Sizes.elements(batch, features)];
                listener.onStart(steps);
                listener.onStep(state.step);
                model.train(true);
                int logged = state.step;
                // The uploads above are queued; the clock starts when the device has them.
                device.synchronize();
                long start = System.nanoTime();
                long asideNanos = 0; // evaluation and checkpoints: not training time
                boolean finished = state.stoppedEarly();
                for (int step = state.step; step < steps && !finished; step++) {
                    if (step % stepsPerEpoch == 0) {
                        optimizer.setLearningRate(LrSchedule.at(cfg.lrSchedule(), cfg.lr(), step / stepsPerEpoch, tMax));
                    }
                    sampler.next(indexHost);
                    device.copyIn(indexHost, 0, index.storage(), 0, batch);
                    check.beforeStep();
                    try (Arena arena = Arena.open()) {
                        if (batchHost == null) {
                            ops.gatherRows(trainX.storage(), index.storage(), xb.storage(), batch, features);
                        } else {
                            gatherAugmented(data.trainX(), indexHost, batchHost, features, augment, cfg.seed(), step);
                            device.copyIn(batchHost, 0, xb.storage(), 0, batch * features);
                        }
                        ops.gatherRows(trainY.storage(), index.storage(), yb.storage(), batch, 1);
                        Tensor loss = NnOps.softmaxCrossEntropy(model.forward(xb), yb);
                        optimizer.zeroGrad();
                        loss.backward();
                        check.afterBackward(step, loss);
                        if (check.applyUpdate(step, listener)) {
                            optimizer.step();
                        }
                    }
                    listener.onStep(step + 1);
                    if ((step + 1) % cfg.logEvery() == 0 || step + 1 == steps) {
                        check.readLosses(logged, step + 1, losses);
                        logged = step + 1;
                        listener.onLog(step + 1, losses[step]);
                    }
                    if ((step + 1) % stepsPerEpoch == 0 || step + 1 == steps) {
                        check.readLosses(logged, step + 1, losses);
                        logged = step + 1;
                        check.checkValues(step + 1);
                        device.synchronize();
                        long aside = System.nanoTime();
                        double seconds = state.earlierSeconds + (aside - start - asideNanos) / 1e9;
                        finished = endEpoch(cfg, device, data, model, optimizer, state, run, step + 1, stepsPerEpoch,
                                seconds, listener, epochs, check);
                        asideNanos += System.nanoTime() - aside;
                    }
                }
                device.synchronize();
                double seconds = state.earlierSeconds + (System.nanoTime() - start - asideNanos) / 1e9;
                int done = state.step;
                check.checkValues(done);
                int[] predictions = predict(model, device, data.testX(), data.testCount(), features);
                Evaluation evaluation = Evaluation.of(predictions, data.testY(), data.classes());
                boolean complete = done == steps || state.stoppedEarly();
                TrainResult result = new TrainResult(device.name(), done, seconds, lastFinite(losses, done),
                        evaluation.accuracy(), Arrays.copyOf(losses, done), model, java.util.List.copyOf(state.epochs),
                        evaluation, state.stopper.stoppedAfter(), complete, check.skippedSteps());
                succeeded = true;
                return result;
            }
        } finally {
            optimizer.close();
            if (!succeeded) {
                model.close();  // on a GPU nothing else would return its memory
            }
        }
    }

    /**
     * Evaluates, records the epoch, consults early stopping and writes the checkpoint.
     *
     * @return true when the run ends here (early stop, or the pause asked for)
     */
    private static boolean endEpoch(TrainConfig cfg, Device device, TrainData data, Sequential model,
                                    Optimizer optimizer, TrainState state, RunOptions run, int stepsDone,
                                    int stepsPerEpoch, double seconds, Listener listener, int totalEpochs,
                                    NonFiniteCheck check) {
        int epoch = (stepsDone + stepsPerEpoch - 1) / stepsPerEpoch;
        int from = (epoch - 1) * stepsPerEpoch;
        double sum = 0;
        int counted = 0;
        for (int i = from; i < stepsDone; i++) {
            if (!Float.isNaN(state.losses[i])) {  // NaN marks a step skipped by --on-nan skip
                sum += state.losses[i];
                counted++;
            }
        }
        double meanLoss = sum / counted;
        int[] predictions = predict(model, device, data.testX(), data.testCount(), data.features());
        Evaluation evaluation = Evaluation.of(predictions, data.testY(), data.classes());
        double accuracy = evaluation.accuracy();
        Double trainAccuracy = run.trainAccuracy()
                ? evaluate(model, device, data.trainX(), data.trainY(), data.trainCount(), data.features()) : null;
        EpochStats stats = new EpochStats(epoch, stepsDone, meanLoss, accuracy, optimizer.learningRate(), seconds,
                trainAccuracy);
        state.epochs.add(stats);
        state.step = stepsDone;
        boolean stop = state.stopper.observe(epoch, meanLoss);
        listener.onEpoch(stats, totalEpochs);
        if (run.checkpointDir() != null) {
            listener.atCheckpoint(() -> {
                Checkpoint.write(run.checkpointDir(), cfg, run.dataInfo(), model, optimizer, state, seconds);
                check.checkpointWritten(run.checkpointDir().resolve(Checkpoint.FILE), epoch);
                return new TrainResult(device.name(), stepsDone, seconds, lastFinite(state.losses, stepsDone),
                        accuracy, Arrays.copyOf(state.losses, stepsDone), null, java.util.List.copyOf(state.epochs),
                        evaluation, state.stopper.stoppedAfter(), false, check.skippedSteps());
            });
        }
        return stop || epoch == run.stopAfterEpoch();
    }

    /** The loss of the last step that was not skipped (NaN when none was). */
    private static float lastFinite(float[] losses, int done) {
        for (int i = done - 1; i >= 0; i--) {
            if (!Float.isNaN(losses[i])) {
                return losses[i];
            }
        }
        return Float.NaN;
    }

    /** The host side of an augmented step: gather the rows the sampler chose, then augment them. */
    private static void gatherAugmented(float[] trainX, float[] indexHost, float[] out, int features, Augment augment,
                                        long seed, int step) {
        for (int i = 0; i < indexHost.length; i++) {
            System.arraycopy(trainX, (int) indexHost[i] * features, out, i * features, features);
        }
        augment.apply(out, indexHost.length, seed, step);
    }

    /** Classification accuracy in eval mode, in chunks so memory stays bounded. */
    public static double evaluate(Sequential model, Device device, float[] x, float[] y, int count, int features) {
        int[] pred = predict(model, device, x, count, features);
        int correct = 0;
        for (int i = 0; i < count; i++) {
            if (pred[i] == y[i]) {
                correct++;
            }
        }
        return count == 0 ? 0 : (double) correct / count;
    }

    /** The predicted class of each row, in eval mode, in chunks so memory stays bounded. */
    public static int[] predict(Sequential model, Device device, float[] x, int count, int features) {
        // Small enough that a ResNet's activations for one chunk stay in the hundreds of MB.
        final int chunk = 200;
        model.train(false);
        int[] pred = new int[count];
        float[] out = new float[chunk];
        try (GradMode g = GradMode.noGrad()) {
            for (int from = 0; from < count; from += chunk) {
                int n = Math.min(chunk, count - from);
                float[] rows = Arrays.copyOfRange(x, from * features, (from + n) * features);
                try (Arena arena = Arena.open(); Tensor xb = Tensor.of(device, rows, n, features);
                     Tensor argmax = Tensor.zeros(device, n)) {
                    Tensor logits = model.forward(xb);
                    device.ops().argmaxRows(logits.storage(), argmax.storage(), n, logits.dim(1));
                    device.copyOut(argmax.storage(), 0, out, 0, n);
                }
                for (int i = 0; i < n; i++) {
                    pred[from + i] = (int) out[i];
                }
            }
        } finally {
            model.train(true);
        }
        return pred;
    }
}
