package jgrad.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jgrad.train.StepBench;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.TrainResult;
import jgrad.train.Trainer;

/**
 * The train suite: milliseconds per whole training step (gather, forward, loss, backward,
 * optimizer) on synthetic MNIST-shaped data, for each model at a few batch sizes; images/s is
 * batch / median step time. Steps per repeat are sized from a short probe run so every case
 * takes about the same wall time whatever the model and device.
 */
final class BenchTrain {
    static final String SUITE = "train";

    /** A model and the batch sizes it is timed at. */
    record Job(String model, int[] cpuBatches, int[] gpuBatches) {}

    static final List<Job> JOBS = List.of(
            new Job("mlp", new int[] {100, 1000}, new int[] {100, 1000, 10000}),
            new Job("convnet", new int[] {32}, new int[] {32, 128}),
            new Job("resnet18", new int[] {16}, new int[] {32, 128}));

    /** Warm-up per case: the CPU MLP's step time is still falling 2 s into a cold run. */
    static final double WARMUP_SECONDS = 3;
    static final double WARMUP_SECONDS_QUICK = 1;

    private BenchTrain() {}

    /** The job's training configuration: each model's defaults, as {@code jgrad train --model} uses them. */
    static TrainConfig config(String model, int batch) {
        TrainConfig seed = TrainConfig.seedDefaults();
        String optimizer = TrainConfig.defaultOptimizer(model);
        return TrainConfig.builder().model(model).steps(1).batchSize(batch)
                .lr(jgrad.optim.Optimizer.defaultLearningRate(optimizer)).optimizer(optimizer)
                .activation(TrainConfig.defaultActivation(model)).init(TrainConfig.defaultInit(model))
                .hidden(seed.hidden()).seed(seed.seed()).logEvery(1).build();
    }

    static List<BenchResult> run(BenchRun run) {
        List<BenchResult> out = new ArrayList<>();
        for (BenchTarget t : run.devices().targets(BenchDevices.Need.TRAIN)) {
            if (!t.available()) {
                out.add(BenchResult.skipped(SUITE, t.device(), t.provider(), "all models", "images/s", t.unavailable()));
                continue;
            }
            boolean gpu = !t.device().equals("cpu");
            for (Job job : JOBS) {
                if (t.simulated()) {
                    out.add(run.progress().done(simulated(t, job.model())));
                    continue;
                }
                int[] batches = gpu ? job.gpuBatches() : job.cpuBatches();
                for (int i = 0; i < (run.quick() && !job.model().equals("mlp") ? 1 : batches.length); i++) {
                    out.add(run.progress().done(measure(run, t, job.model(), batches[i])));
                }
            }
        }
        return out;
    }

    /**
     * One short run of the model on a simulated GPU (see {@link BenchSimulated}): the whole step,
     * optimizer state and the final evaluation, untimed; a loss that is not finite fails the row.
     */
    private static BenchResult simulated(BenchTarget t, String job) {
        BenchSimulated.TrainCase size = BenchSimulated.train(job);
        String item = size.model() + ", batch " + size.batch();
        TrainConfig cfg;
        try {
            cfg = config(size.model(), size.batch()).inStepsMode(size.steps(), size.batch(), size.steps());
        } catch (IllegalArgumentException e) {
            return BenchResult.skipped(SUITE, t.device(), t.provider(), item, "images/s", e.getMessage());
        }
        try {
            TrainData data = StepBench.syntheticMnist(size.examples(), cfg.seed());
            try (TrainResult r = Trainer.train(cfg, t.dev(), data, new Trainer.Listener() {})) {
                if (!Float.isFinite(r.finalLoss())) {
                    return BenchResult.failed(SUITE, t.device(), t.provider(), item, "images/s",
                            "loss " + r.finalLoss() + " after " + r.steps() + " steps on the simulated device");
                }
                return BenchResult.simulated(SUITE, t.device(), t.provider(), item, "images/s", BenchSimulated.NOTE
                        + " (" + r.steps() + " steps, final loss " + String.format(Locale.ROOT, "%.4f", r.finalLoss())
                        + ")" + (size.note() == null ? "" : "; " + size.note()));
            }
        } catch (RuntimeException e) {
            return BenchResult.from(e, SUITE, t, item, "images/s");
        }
    }

    private static BenchResult measure(BenchRun run, BenchTarget t, String model, int batch) {
        String item = model + ", batch " + batch;
        TrainConfig cfg;
        try {
            cfg = config(model, batch);
        } catch (IllegalArgumentException e) {
            return BenchResult.skipped(SUITE, t.device(), t.provider(), item, "images/s", e.getMessage());
        }
        try {
            // Warm-up (JIT, pools, cuDNN/cuBLAS choices) whose last run gives the step time to size the real runs by.
            double probeMs = StepBench.warmUp(cfg, t.dev(), run.quick() ? WARMUP_SECONDS_QUICK : WARMUP_SECONDS);
            double targetMs = run.quick() ? 250 : 500;
            int steps = (int) Math.max(3, Math.min(2000, Math.round(targetMs / Math.max(probeMs, 1e-3))));
            StepBench.Timing timing = StepBench.measure(item, cfg, t.dev(), steps, run.budget().repeats());
            Measure.Stats st = new Measure.Stats(timing.medianMs(), timing.minMs(), timing.maxMs(),
                    run.budget().repeats(), steps);
            return BenchResult.measured(SUITE, t.device(), t.provider(), item, "images/s",
                    batch / (timing.medianMs() / 1000), st, null, steps + " steps per repeat");
        } catch (RuntimeException e) {
            return BenchResult.from(e, SUITE, t, item, "images/s");
        }
    }
}
