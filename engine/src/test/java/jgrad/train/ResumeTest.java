package jgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import jgrad.cpu.CpuDevice;
import jgrad.data.ImageShape;
import jgrad.data.Normalization;
import jgrad.io.NamedTensor;
import jgrad.io.Safetensors;
import jgrad.nn.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run paused after half its epochs and resumed from the checkpoint matches an uninterrupted run bit for bit. */
class ResumeTest {
    private static final CpuDevice CPU = CpuDevice.get();

    @TempDir
    Path tmp;

    /** 600 synthetic 28×28 images: 12 steps of 50 per epoch. */
    static TrainData data() {
        TrainData flat = StepBench.syntheticMnist(600, 5);
        return new TrainData(flat.trainX(), flat.trainY(), flat.trainCount(), flat.testX(), flat.testY(),
                flat.testCount(), flat.features(), flat.classes(), new ImageShape(1, 28, 28), Normalization.identity(1));
    }

    /** BatchNorm, dropout, weight decay, a cosine schedule and augmentation: every piece of state a resume needs. */
    static TrainConfig job(String optimizer, int epochs, int[] hidden) {
        return TrainConfig.builder().steps(0).epochs(epochs).batchSize(50)
                .lr(optimizer.equals("adam") ? 0.002f : 0.05f).optimizer(optimizer).activation("relu").init("he")
                .hidden(hidden).weightDecay(5e-4f).dropout(0.2f).batchNorm(true).seed(11L).logEvery(5)
                .lrSchedule("cosine").augment("rotate,crop").build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"momentum", "adam"})
    void pausedAndResumedRunMatchesTheUninterruptedOne(String optimizer) {
        TrainConfig cfg = job(optimizer, 4, new int[] {32});
        TrainData data = data();
        TrainResult whole = Trainer.train(cfg, CPU, data, new Trainer.Listener() {},
                new RunOptions(tmp.resolve("whole"), null, 0, "{}"));
        assertEquals(48, whole.steps());
        assertTrue(whole.complete());

        TrainResult firstHalf = Trainer.train(cfg, CPU, data, new Trainer.Listener() {},
                new RunOptions(tmp.resolve("split"), null, 2, "{\"dataset\":\"synthetic\"}"));
        assertFalse(firstHalf.complete());
        assertEquals(24, firstHalf.steps());
        Checkpoint ckpt = Checkpoint.read(tmp.resolve("split"));
        assertEquals(24, ckpt.step());
        assertEquals(2, ckpt.epoch());
        assertEquals(cfg.lrSchedule(), ckpt.config().lrSchedule());
        assertArrayEquals(cfg.hidden(), ckpt.config().hidden());
        assertEquals("{\"dataset\":\"synthetic\"}", ckpt.dataInfo());

        TrainResult resumed = Trainer.train(ckpt.config(), CPU, data, new Trainer.Listener() {},
                new RunOptions(tmp.resolve("split"), ckpt, 0, "{}"));
        assertTrue(resumed.complete());
        assertArrayEquals(whole.lossHistory(), resumed.lossHistory(), "loss curve");
        for (int i = 0; i < 4; i++) {
            EpochStats a = whole.epochs().get(i);
            EpochStats b = resumed.epochs().get(i);
            assertEquals(a.meanLoss(), b.meanLoss(), "epoch " + (i + 1) + " loss");
            assertEquals(a.testAccuracy(), b.testAccuracy(), "epoch " + (i + 1) + " accuracy");
            assertEquals(a.lr(), b.lr());
        }
        List<Parameter> wa = whole.model().parameters();
        List<Parameter> wb = resumed.model().parameters();
        for (int i = 0; i < wa.size(); i++) {
            assertArrayEquals(wa.get(i).tensor().toArray(), wb.get(i).tensor().toArray(), wa.get(i).name());
        }
        assertArrayEquals(whole.evaluation().predictions(), resumed.evaluation().predictions());
        // The cosine schedule anneals per epoch: base, then lower each epoch, never 0 within T_max.
        assertEquals(cfg.lr(), whole.epochs().get(0).lr());
        assertTrue(whole.epochs().get(3).lr() < whole.epochs().get(2).lr() && whole.epochs().get(3).lr() > 0f);
    }

    @Test
    void colourImagesWithEveryAugmentationResumeExactly() {
        // CIFAR-shaped data: 3×32×32, normalised per channel, cropped with padding 4, flipped, rotated.
        java.util.Random r = new java.util.Random(9);
        int n = 200;
        int px = 3 * 32 * 32;
        float[] x = new float[n * px];
        float[] y = new float[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(10);
        }
        ImageShape shape = new ImageShape(3, 32, 32);
        Normalization norm = new Normalization(new float[] {0.49f, 0.48f, 0.45f}, new float[] {0.25f, 0.24f, 0.26f});
        norm.applyInPlace(x, shape);
        TrainData data = new TrainData(x, y, n, Arrays.copyOf(x, 40 * px), Arrays.copyOf(y, 40), 40, px, 10, shape, norm);
        TrainConfig cfg = TrainConfig.builder().steps(0).epochs(2).batchSize(40).lr(0.01f).optimizer("momentum")
                .activation("relu").init("he").hidden(16).weightDecay(5e-4f).seed(4L).logEvery(5).lrSchedule("cosine")
                .augment("crop,flip,rotate").build();
        TrainResult whole = Trainer.train(cfg, CPU, data, new Trainer.Listener() {});
        Trainer.train(cfg, CPU, data, new Trainer.Listener() {}, new RunOptions(tmp, null, 1, "{}"));
        TrainResult resumed = Trainer.train(cfg, CPU, data, new Trainer.Listener() {},
                new RunOptions(tmp, Checkpoint.read(tmp), 0, "{}"));
        assertEquals(10, whole.steps());
        assertArrayEquals(whole.lossHistory(), resumed.lossHistory());
    }

    @Test
    void convModelResumesWithItsStem() {
        TrainConfig cfg = TrainConfig.builder().model("resnet8").steps(0).epochs(2).batchSize(20).lr(0.05f)
                .optimizer("momentum").activation("relu").init("he").seed(9L).logEvery(5).stem("cifar").build();
        TrainData data = ConvTrainingTest.patches(100, 20, 4);
        TrainResult whole = Trainer.train(cfg, CPU, data, new Trainer.Listener() {});
        Trainer.train(cfg, CPU, data, new Trainer.Listener() {}, new RunOptions(tmp.resolve("conv"), null, 1, "{}"));
        Checkpoint ckpt = Checkpoint.read(tmp.resolve("conv"));
        assertEquals("cifar", ckpt.config().stem());
        assertEquals("resnet8", ckpt.config().model());
        TrainResult resumed = Trainer.train(ckpt.config(), CPU, data, new Trainer.Listener() {},
                new RunOptions(tmp.resolve("conv"), ckpt, 0, "{}"));
        assertTrue(resumed.complete());
        assertArrayEquals(whole.lossHistory(), resumed.lossHistory(), "loss curve");
    }

    @Test
    void checkpointHoldsEveryPieceOfState() throws Exception {
        TrainConfig cfg = job("adam", 1, new int[] {16});
        Trainer.train(cfg, CPU, data(), new Trainer.Listener() {}, new RunOptions(tmp, null, 0, "{}"));
        Safetensors.Contents c = Safetensors.read(tmp.resolve(Checkpoint.FILE));
        Map<String, NamedTensor> t = c.asMap();
        for (String name : List.of("model.fc1.weight", "model.bn1.running_mean", "model.bn1.running_var",
                "optimizer.fc1.weight.exp_avg", "optimizer.fc2.bias.exp_avg_sq", "train.loss_history")) {
            assertTrue(t.containsKey(name), name + " in " + t.keySet());
        }
        assertEquals(12, t.get("train.loss_history").data().length);
        assertTrue(c.metadata().get("state").contains("\"optimizer_steps\":12"), c.metadata().get("state"));
        assertTrue(c.metadata().get("state").contains("\"drop1.calls\":12"), c.metadata().get("state"));
        assertTrue(c.metadata().get("config").contains("\"augment\":\"crop,rotate\""), c.metadata().get("config"));
    }

    @Test
    void checkpointOfAnotherModelShapeIsRefusedNamingTheTensor() {
        TrainConfig cfg = job("momentum", 1, new int[] {32});
        Trainer.train(cfg, CPU, data(), new Trainer.Listener() {}, new RunOptions(tmp, null, 0, "{}"));
        Checkpoint ckpt = Checkpoint.read(tmp);
        TrainConfig other = job("momentum", 2, new int[] {16});
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Trainer.train(other, CPU, data(), new Trainer.Listener() {}, new RunOptions(null, ckpt, 0, "{}")));
        assertTrue(e.getMessage().contains("model.fc1.weight is [784, 32] in the checkpoint but [784, 16]"),
                e.getMessage());
        TrainConfig adam = job("adam", 2, new int[] {32});
        assertThrows(CheckpointException.class,
                () -> Trainer.train(adam, CPU, data(), new Trainer.Listener() {}, new RunOptions(null, ckpt, 0, "{}")));
    }

    @Test
    void truncatedOrForeignFilesGiveOneLineErrors() throws Exception {
        TrainConfig cfg = job("momentum", 1, new int[] {16});
        Trainer.train(cfg, CPU, data(), new Trainer.Listener() {}, new RunOptions(tmp, null, 0, "{}"));
        Path file = tmp.resolve(Checkpoint.FILE);
        byte[] bytes = Files.readAllBytes(file);
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        CheckpointException truncated = assertThrows(CheckpointException.class, () -> Checkpoint.read(cut));
        assertTrue(truncated.getMessage().contains("unreadable"), truncated.getMessage());
        assertFalse(truncated.getMessage().contains("\n"));

        Path weights = tmp.resolve("weights.safetensors");
        Safetensors.write(weights, List.of(new NamedTensor("w", new int[] {1}, new float[] {1f})), Map.of());
        CheckpointException foreign = assertThrows(CheckpointException.class, () -> Checkpoint.read(weights));
        assertTrue(foreign.getMessage().contains("not a jgrad checkpoint"), foreign.getMessage());

        CheckpointException missing = assertThrows(CheckpointException.class, () -> Checkpoint.read(tmp.resolve("none")));
        assertTrue(missing.getMessage().startsWith("no checkpoint at"), missing.getMessage());
    }

    @Test
    void earlyStoppingEndsTheRunAndIsRemembered() {
        // lr far too small to improve the loss by more than min delta: patience 2 stops after epoch 3.
        TrainConfig cfg = TrainConfig.builder().steps(0).epochs(10).batchSize(50).lr(1e-6f).hidden(16).seed(3L)
                .logEvery(100).patience(2).minDelta(0.5f).build();
        TrainResult r = Trainer.train(cfg, CPU, data(), new Trainer.Listener() {}, new RunOptions(tmp, null, 0, "{}"));
        assertEquals(3, r.stoppedEarlyAfter());
        assertEquals(3, r.epochs().size());
        assertEquals(36, r.steps());
        assertTrue(r.complete());
        TrainResult again = Trainer.train(cfg, CPU, data(), new Trainer.Listener() {},
                new RunOptions(tmp, Checkpoint.read(tmp), 0, "{}"));
        assertEquals(36, again.steps(), "a stopped run does not continue on resume");
        assertEquals(3, again.stoppedEarlyAfter());
    }
}
