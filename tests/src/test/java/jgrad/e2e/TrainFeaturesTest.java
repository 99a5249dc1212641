package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import jgrad.CapturedLog;
import jgrad.train.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints, resume, schedules, early stopping, per-epoch evaluation and eval, through the CLI on MNIST. */
class TrainFeaturesTest {
    @TempDir
    Path tmp;

    /** BatchNorm, dropout, momentum with weight decay, cosine schedule and augmentation: 2 epochs of 120 steps. */
    private static final String[] JOB = {"train", "--device", "cpu", "--epochs", "2", "--batch-size", "500",
        "--hidden", "50", "--activation", "relu", "--init", "he", "--optimizer", "momentum", "--momentum", "0.9",
        "--lr", "0.05", "--weight-decay", "5e-4", "--lr-schedule", "cosine", "--dropout", "0.1", "--batch-norm",
        "--augment", "rotate,crop", "--seed", "3", "--log-every", "60"};

    @BeforeAll
    static void mnist() {
        Cli.requireMnist();
    }

    private static String[] with(String[] base, String... more) {
        List<String> all = new ArrayList<>(Arrays.asList(base));
        all.addAll(Arrays.asList(more));
        return all.toArray(String[]::new);
    }

    private static JsonNode metrics(Path dir) throws Exception {
        return new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
    }

    @Test
    void pausedAndResumedRunHasTheUninterruptedLossCurve() throws Exception {
        Path whole = tmp.resolve("whole");
        Cli a = Cli.run(with(JOB, "--out", whole.toString()));
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().contains("epoch 1/2") && a.out().contains("epoch 2/2"), a.out());
        JsonNode ma = metrics(whole);
        assertEquals(240, ma.get("loss_history").size());
        assertTrue(ma.get("complete").asBoolean());

        Path split = tmp.resolve("split");
        Cli b = Cli.run(with(JOB, "--out", split.toString(), "--stop-after-epoch", "1"));
        assertEquals(0, b.code(), b.err());
        assertTrue(b.out().contains("paused         after epoch 1"), b.out());
        assertFalse(metrics(split).get("complete").asBoolean());
        assertEquals(120, metrics(split).get("loss_history").size());

        Cli c = Cli.run("train", "--resume", split.toString(), "--device", "cpu");
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("resuming from") && c.out().contains("at epoch 1 (step 120)"), c.out());
        JsonNode mc = metrics(split);
        assertArrayEquals(MetricsJson.losses(ma), MetricsJson.losses(mc), "resumed loss curve");
        assertEquals(ma.get("test_accuracy").asDouble(), mc.get("test_accuracy").asDouble());
        assertEquals(120, mc.get("resumed_from_step").asInt());
        for (int e = 0; e < 2; e++) {
            assertEquals(ma.get("epochs").get(e).get("test_accuracy").asDouble(),
                    mc.get("epochs").get(e).get("test_accuracy").asDouble());
        }
        // Cosine per epoch over 2 epochs: 0.05, then 0.025.
        assertEquals(0.05, ma.get("epochs").get(0).get("lr").asDouble(), 1e-7);
        assertEquals(0.025, ma.get("epochs").get(1).get("lr").asDouble(), 1e-7);
    }

    @Test
    void dataLimitsTrainAndTestOnTheFirstImagesAndAResumeKeepsThem() throws Exception {
        Path out = tmp.resolve("limited");
        Cli a = Cli.run("train", "--device", "cpu", "--epochs", "2", "--batch-size", "100", "--hidden", "20",
                "--train-limit", "500", "--test-limit", "300", "--out", out.toString(), "--stop-after-epoch", "1");
        assertEquals(0, a.code(), a.err());
        JsonNode m = metrics(out);
        assertEquals(5, m.get("loss_history").size(), "500 images in batches of 100: 5 steps per epoch");
        assertEquals(300, confusionTotal(m), "the confusion matrix counts the 300 test images");
        Cli b = Cli.run("train", "--resume", out.toString(), "--device", "cpu");
        assertEquals(0, b.code(), b.err());
        JsonNode mb = metrics(out);
        assertEquals(10, mb.get("loss_history").size(), "the resumed epoch uses the same 500 images");
        assertEquals(300, confusionTotal(mb));
        Cli e = Cli.run("eval", "--checkpoint", out.toString(), "--device", "cpu");
        assertEquals(0, e.code(), e.err());
    }

    private static int confusionTotal(JsonNode m) {
        int total = 0;
        for (JsonNode row : m.get("confusion_matrix")) {
            for (JsonNode v : row) {
                total += v.asInt();
            }
        }
        return total;
    }

    @Test
    void outputsHoldPerClassResultsAndThePredictionGrid() throws Exception {
        Path out = tmp.resolve("out");
        Cli r = Cli.run("train", "--device", "cpu", "--epochs", "1", "--batch-size", "1000", "--hidden", "50",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("per-class accuracy") && r.out().contains("confusion matrix"), r.out());
        for (String f : new String[] {"checkpoint.safetensors", "model.safetensors", "loss.png", "predictions.png",
            "metrics.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertFalse(Files.exists(out.resolve("filters.png")), "only the conv models have filters to draw");
        JsonNode m = metrics(out);
        assertEquals("mnist", m.get("dataset").asText());
        assertEquals(1, m.get("epochs").size());
        assertEquals(m.get("test_accuracy").asDouble(), m.get("epochs").get(0).get("test_accuracy").asDouble());
        JsonNode confusion = m.get("confusion_matrix");
        assertEquals(10, confusion.size());
        int total = 0;
        int diagonal = 0;
        for (int t = 0; t < 10; t++) {
            for (int p = 0; p < 10; p++) {
                total += confusion.get(t).get(p).asInt();
            }
            diagonal += confusion.get(t).get(t).asInt();
        }
        assertEquals(10_000, total);
        assertEquals(m.get("test_accuracy").asDouble(), diagonal / 10_000.0, 1e-12);
        assertEquals(10, m.get("per_class_accuracy").size());
        BufferedImage grid = ImageIO.read(out.resolve("predictions.png").toFile());
        assertTrue(grid.getWidth() >= 8 * 84 && grid.getHeight() >= 8 * 84, grid.getWidth() + "×" + grid.getHeight());

        Path evalJson = tmp.resolve("eval.json");
        Cli e = Cli.run("eval", "--checkpoint", out.toString(), "--device", "cpu", "--metrics-json", evalJson.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains(String.format("test accuracy  %.4f", m.get("test_accuracy").asDouble())), e.out());
        assertTrue(e.out().contains("per-class accuracy"), e.out());
        JsonNode em = new ObjectMapper().readTree(evalJson.toFile());
        assertEquals(m.get("confusion_matrix"), em.get("confusion_matrix"));
    }

    @Test
    void earlyStoppingEndsTheRunAndIsReported() throws Exception {
        Path out = tmp.resolve("stop");
        Cli r = Cli.run("train", "--device", "cpu", "--epochs", "6", "--batch-size", "1000", "--hidden", "20",
                "--patience", "1", "--min-delta", "10", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("early stop     after epoch 2"), r.out());
        JsonNode m = metrics(out);
        assertEquals(2, m.get("early_stopping").get("stopped_after_epoch").asInt());
        assertEquals(120, m.get("steps").asInt());
        assertTrue(m.get("complete").asBoolean());
    }

    @Test
    void checkpointProblemsAreOneLineErrors() throws Exception {
        Path out = tmp.resolve("ck");
        assertEquals(0, Cli.run("train", "--device", "cpu", "--epochs", "1", "--batch-size", "1000", "--hidden", "50",
                "--out", out.toString()).code());
        // A different network on --resume is a contradiction of the options, refused before any data is read.
        Cli other = Cli.run("train", "--resume", out.toString(), "--hidden", "30", "--epochs", "2", "--device", "cpu");
        assertEquals(2, other.code(), other.err());
        assertTrue(other.err().contains("--hidden 30 conflicts with --resume " + out + ": its run has --hidden 50"),
                other.err());
        assertFalse(other.err().contains("\tat "), other.err());

        Path file = out.resolve("checkpoint.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 1000));
        for (Cli r : new Cli[] {Cli.run("train", "--resume", out.toString(), "--device", "cpu"),
            Cli.run("eval", "--checkpoint", out.toString(), "--device", "cpu")}) {
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("unreadable") && r.err().lines().count() == 1, r.err());
        }
        // With the previous checkpoint beside it, the directory's newest usable one is taken (logged as a warning).
        Files.write(out.resolve("checkpoint.safetensors.prev"), bytes);
        Cli fallback;
        try (CapturedLog log = CapturedLog.of(Checkpoint.class, Level.WARN)) {
            fallback = Cli.run("eval", "--checkpoint", out.toString(), "--device", "cpu");
            List<String> warned = log.messages(Level.WARN);
            assertEquals(1, warned.size(), warned.toString());
            assertTrue(warned.get(0).startsWith("checkpoint " + file + " is unreadable: ") && warned.get(0).endsWith(
                    "; using the previous checkpoint " + file + ".prev (epoch 1, step 60) instead"), warned.get(0));
        }
        assertEquals(0, fallback.code(), fallback.err());
        assertTrue(fallback.out().contains("checkpoint.safetensors.prev (epoch 1, step 60)"), fallback.out());
        Cli none = Cli.run("eval", "--checkpoint", tmp.resolve("nothing").toString());
        assertEquals(2, none.code(), "a path that does not exist is a bad argument");
        assertTrue(none.err().contains("no such file or directory"), none.err());
    }

    @Test
    void badFeatureOptionsExitTwo() {
        for (String[] args : new String[][] {{"--augment", "flip"}, {"--augment", "zoom"}, {"--lr-schedule", "step"},
            {"--momentum", "0.5"}, {"--patience", "-1"}, {"--dataset", "imagenet"}, {"--normalize", "whiten"},
            {"--stop-after-epoch", "1"}, {"--t-max", "-3"}}) {
            Cli r = Cli.run("train", "--device", "cpu", "--steps", "1", args[0], args[1]);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().contains("error:"), r.err());
        }
    }
}
