package jgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import jgrad.cpu.CpuDevice;
import jgrad.device.Device;
import jgrad.nn.Parameter;
import jgrad.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * --on-nan: a step with a NaN or infinite loss or gradient stops the run naming the step and the first
 * parameter, or is skipped; on the CPU (flags read every step) and on a device that queues its work,
 * emulated by {@link Queued}, whose flags are read only at log points and must still name the first bad step.
 */
class NonFiniteTrainingTest {
    private static final CpuDevice CPU = CpuDevice.get();

    @TempDir
    Path tmp;

    /** Learnable: 10 Gaussian clusters in 16 dimensions; {@code poisoned} training rows are NaN (a corrupt record). */
    static TrainData clusters(int train, int test, long seed, int... poisoned) {
        return SyntheticClusters.of(16, 10, 3, train, test, seed, poisoned);
    }

    static TrainConfig mlp(int steps, int epochs, int batch, float lr, String optimizer, boolean batchNorm,
                           String onNan, int... hidden) {
        return TrainConfig.builder().steps(steps).epochs(epochs).batchSize(batch).lr(lr).optimizer(optimizer)
                .activation("relu").init("he").hidden(hidden).batchNorm(batchNorm).seed(5L).logEvery(5).onNan(onNan)
                .build();
    }

    /** Last step reported to the listener: how far a run got before it stopped. */
    static final class LastStep implements Trainer.Listener {
        int step;
        final List<String> skips = new ArrayList<>();

        @Override
        public void onStep(int s) {
            step = s;
        }

        @Override
        public void onSkippedStep(int s, String what) {
            skips.add(s + ": " + what);
        }
    }

    /**
     * Weights for which the loss stays finite (about 1.4e11) while the gradient of fc2.weight overflows:
     * fc1's output is 1e34 everywhere, fc2 scales it down to 4e5 (weights 1e-29), fc3 maps that to a
     * large logit of class 0 (weights 1e5); dW2 = h1ᵀ·dz2 ≈ 1e34 · 1e5 overflows, fc1's gradients stay tiny.
     */
    static void plantGradientOverflow(Sequential model, float fc3Scale) {
        for (Parameter p : model.parameters()) {
            float[] v = new float[p.tensor().numel()];
            switch (p.name()) {
                case "fc1.bias" -> Arrays.fill(v, 1e34f);
                case "fc2.weight" -> Arrays.fill(v, 1e-29f);
                case "fc3.weight" -> {
                    int classes = p.tensor().dim(1);
                    for (int i = 0; i < v.length; i += classes) {
                        v[i] = fc3Scale;  // column 0
                    }
                }
                default -> { } // zeros: fc1.weight, the other biases
            }
            p.tensor().copyFrom(v);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void hugeLearningRateStopsAtTheFirstBadStepNamingLossAndParameter(boolean queued) {
        Device device = queued ? new CpuBackedDevice("queued-cpu") : CPU;
        TrainConfig cfg = mlp(60, 0, 20, 1e30f, "sgd", false, "stop", 32);
        LastStep progress = new LastStep();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.train(cfg, device, clusters(400, 50, 1), progress, RunOptions.NONE));
        assertEquals(2, e.step(), e.getMessage());
        assertEquals("fc1.weight", e.parameter());
        assertEquals("non-finite loss at step 2 (loss NaN), first non-finite gradient in parameter 'fc1.weight'; "
                + "try a smaller --lr", e.getMessage());
        // The CPU reads the flags after each step; a queued device at the first log point (step 5), yet
        // both name step 2.
        assertEquals(queued ? 5 : 1, progress.step);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aGradientAloneGoingNonFiniteIsCaughtAndItsParameterNamed(boolean queued) {
        Device device = queued ? new CpuBackedDevice("queued-cpu") : CPU;
        TrainConfig cfg = mlp(12, 0, 20, 0.01f, "sgd", false, "stop", 4, 4);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.train(cfg, device, clusters(400, 50, 2), new Trainer.Listener() {}, RunOptions.NONE,
                        model -> plantGradientOverflow(model, 1e5f)));
        assertEquals(1, e.step());
        assertEquals("fc2.weight", e.parameter(), "fc1's gradients are finite, fc2.weight's is the first that is not");
        assertTrue(e.getMessage().startsWith("non-finite gradient at step 1: first in parameter 'fc2.weight' (loss 1."),
                e.getMessage());
        assertTrue(e.getMessage().contains("e+11)"), "the loss itself is finite: " + e.getMessage());
    }

    @Test
    void stopLeavesTheLastEpochsCheckpointGoodAndNamesIt() {
        // 12 steps per epoch; after step 15 (epoch 2) the test plants weights whose gradients overflow.
        TrainConfig cfg = mlp(0, 3, 50, 0.01f, "momentum", false, "stop", 4, 4);
        Path dir = tmp.resolve("run");
        Sequential[] built = new Sequential[1];
        Trainer.Listener plantAfterStep15 = new Trainer.Listener() {
            @Override
            public void onStep(int step) {
                if (step == 15) {
                    plantGradientOverflow(built[0], 1e5f);
                }
            }
        };
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.train(cfg, CPU, clusters(600, 50, 3), plantAfterStep15,
                        new RunOptions(dir, null, 0, "{}"), model -> built[0] = model));
        assertEquals(16, e.step());
        assertTrue(e.getMessage().contains("; the last good checkpoint is " + dir.resolve(Checkpoint.FILE)
                + " (epoch 1); try a smaller --lr"), e.getMessage());
        Checkpoint good = Checkpoint.read(dir);
        assertEquals(1, good.epoch(), "no checkpoint after the fault");
        assertEquals(12, good.step());
        // It loads and continues: the resumed run (without the planted weights) finishes.
        try (TrainResult resumed = Trainer.train(good.config(), CPU, clusters(600, 50, 3), new Trainer.Listener() {},
                new RunOptions(dir, good, 0, "{}"))) {
            assertTrue(resumed.complete());
            assertEquals(36, resumed.steps());
        }
    }

    @Test
    void withoutAnyFinishedEpochTheMessageSaysNoCheckpointWasWritten() {
        TrainConfig cfg = mlp(0, 2, 50, 1e30f, "sgd", false, "stop", 32);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.train(cfg, CPU, clusters(600, 50, 4), new Trainer.Listener() {},
                        new RunOptions(tmp.resolve("none"), null, 0, "{}")));
        assertTrue(e.getMessage().contains("; no checkpoint was written (no epoch had finished); "), e.getMessage());
        assertFalse(java.nio.file.Files.exists(tmp.resolve("none").resolve(Checkpoint.FILE)));
    }

    @Test
    void anUpdateThatOverflowsAWeightIsCaughtBeforeTheRunReturnsIt() {
        // Gradients of about 1e29 (finite) times lr 1e10: fc2.weight becomes infinite in the update itself.
        TrainConfig cfg = mlp(1, 0, 20, 1e10f, "sgd", false, "stop", 4, 4);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.train(cfg, CPU, clusters(400, 50, 5), new Trainer.Listener() {}, RunOptions.NONE,
                        model -> plantGradientOverflow(model, 1e-5f)));
        assertEquals("non-finite values in parameter 'fc2.weight' after step 1 (an update overflowed it although "
                + "the gradients were finite); try a smaller --lr", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "momentum", "adam"})
    void skipLeavesWeightsOptimizerStateAndBatchNormStatisticsAsTheyWere(String optimizer) {
        // lr 1e30: step 1 is finite, every later step's loss is NaN; 200 steps per epoch allow 20 skips.
        TrainData data = clusters(2000, 50, 6);
        TrainConfig skip = mlp(6, 0, 10, 1e30f, optimizer, true, "skip", 32);
        TrainConfig oneStep = mlp(1, 0, 10, 1e30f, optimizer, true, "stop", 32);
        LastStep progress = new LastStep();
        try (TrainResult skipped = Trainer.train(skip, CPU, data, progress);
             TrainResult first = Trainer.train(oneStep, CPU, data, new Trainer.Listener() {})) {
            assertEquals(5, skipped.skippedSteps());
            assertEquals(6, skipped.steps());
            float[] history = skipped.lossHistory();
            assertTrue(Float.isFinite(history[0]));
            for (int i = 1; i < 6; i++) {
                assertTrue(Float.isNaN(history[i]), "skipped step " + (i + 1) + " is recorded as NaN");
            }
            assertEquals(history[0], skipped.finalLoss(), "the final loss is the last applied step's");
            assertEquals(history[0], skipped.epochs().get(0).meanLoss(), 0.0, "epoch mean over the applied step");
            assertEquals(5, progress.skips.size());
            assertTrue(progress.skips.get(0).startsWith("2: non-finite loss at step 2 (loss NaN)"), progress.skips.get(0));
            // Bit for bit the state after the one applied step: no update, no optimizer state change (any
            // velocity or moment update would move the weights), batch-norm running statistics put back.
            List<Parameter> a = new ArrayList<>(skipped.model().parameters());
            a.addAll(skipped.model().buffers());
            List<Parameter> b = new ArrayList<>(first.model().parameters());
            b.addAll(first.model().buffers());
            for (int i = 0; i < a.size(); i++) {
                float[] w = a.get(i).tensor().toArray();
                for (float v : w) {
                    assertTrue(Float.isFinite(v), a.get(i).name());
                }
                assertArrayEquals(b.get(i).tensor().toArray(), w, a.get(i).name());
            }
        }
    }

    @Test
    void skipGivesUpAtTenConsecutiveSkippedSteps() {
        TrainConfig cfg = mlp(40, 0, 10, 1e30f, "sgd", false, "skip", 32);
        LastStep progress = new LastStep();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.train(cfg, CPU, clusters(2000, 50, 7), progress));
        assertEquals(11, e.step());
        assertTrue(e.getMessage().startsWith("non-finite loss at step 11 (loss NaN), first non-finite gradient in "
                + "parameter 'fc1.weight'; 10 consecutive steps skipped (--on-nan skip gives up at 10); "), e.getMessage());
        assertEquals(9, progress.skips.size(), "the tenth skip ends the run instead of being reported");
    }

    @Test
    void skipGivesUpPastATenthOfAnEpoch() {
        // 12 steps per epoch: one skip is allowed, the second ends the run.
        TrainConfig cfg = mlp(0, 2, 50, 1e30f, "sgd", false, "skip", 32);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.train(cfg, CPU, clusters(600, 50, 8), new Trainer.Listener() {}));
        assertEquals(3, e.step());
        assertTrue(e.getMessage().contains("; 2 of the 12 steps of epoch 1 skipped (--on-nan skip gives up past 10% "
                + "of an epoch)"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aCorruptExampleIsSkippedOncePerEpochAndTrainingGoesOn(boolean batchNorm) {
        // Row 123 is NaN: the batch that draws it has a NaN loss (and would put NaN into the batch-norm
        // statistics); the others train normally.
        TrainData poisoned = clusters(1000, 300, 9, 123);
        TrainConfig cfg = mlp(0, 3, 100, 0.05f, "momentum", batchNorm, "skip", 32);
        LastStep progress = new LastStep();
        try (TrainResult r = Trainer.train(cfg, CPU, poisoned, progress)) {
            assertTrue(r.complete());
            assertEquals(3, r.skippedSteps(), "one batch per epoch holds the corrupt row");
            assertEquals(3, progress.skips.size());
            long nan = 0;
            for (float v : r.lossHistory()) {
                nan += Float.isNaN(v) ? 1 : 0;
            }
            assertEquals(3, nan);
            for (EpochStats e : r.epochs()) {
                assertTrue(Double.isFinite(e.meanLoss()), "epoch " + e.epoch() + " mean over the applied steps");
            }
            for (Parameter p : r.model().buffers()) {
                for (float v : p.tensor().toArray()) {
                    assertTrue(Float.isFinite(v), p.name() + ": the skipped batch's statistics were put back");
                }
            }
            assertTrue(r.testAccuracy() > 0.9, "accuracy " + r.testAccuracy());
        }
        // Stop mode names that step instead.
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.train(cfg.toBuilder().onNan("stop").build(), CPU, poisoned, new Trainer.Listener() {}));
        assertTrue(e.getMessage().startsWith("non-finite loss at step "), e.getMessage());
    }

    @Test
    void aSkipRunPausedAndResumedCountsItsEarlierSkips() {
        TrainData poisoned = clusters(1000, 300, 10, 7);
        TrainConfig cfg = mlp(0, 4, 100, 0.05f, "sgd", false, "skip", 16);
        Path dir = tmp.resolve("skip");
        try (TrainResult whole = Trainer.train(cfg, CPU, poisoned, new Trainer.Listener() {})) {
            Trainer.train(cfg, CPU, poisoned, new Trainer.Listener() {}, new RunOptions(dir, null, 2, "{}")).close();
            Checkpoint half = Checkpoint.read(dir);
            try (TrainResult resumed = Trainer.train(cfg, CPU, poisoned, new Trainer.Listener() {},
                    new RunOptions(dir, half, 0, "{}"))) {
                assertEquals(4, whole.skippedSteps());
                assertEquals(4, resumed.skippedSteps());
                assertArrayEquals(whole.lossHistory(), resumed.lossHistory());
            }
        }
    }

    @Test
    void onNanIsValidatedAndOldConfigsMeanStop() throws Exception {
        ConfigValueException e = assertThrows(ConfigValueException.class,
                () -> mlp(1, 0, 10, 0.1f, "sgd", false, "ignore", 8));
        assertEquals("--on-nan must be stop or skip, got 'ignore'", e.asOption());
        assertEquals("'onNan' is 'ignore'; allowed: stop or skip", e.getMessage());
        assertEquals("skip", mlp(1, 0, 10, 0.1f, "sgd", false, " SKIP ", 8).onNan());
        assertEquals("stop", TrainConfig.seedDefaults().onNan());
        // A checkpoint's config JSON from before --on-nan has no such field.
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode old =
                json.valueToTree(TrainConfig.builder().onNan("skip").build());
        old.remove("onNan");
        assertEquals("stop", json.treeToValue(old, TrainConfig.class).onNan());
        assertNull(new TrainingDivergedException("x").parameter());
    }
}
