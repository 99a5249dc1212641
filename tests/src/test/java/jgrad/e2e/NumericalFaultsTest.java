package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import jgrad.io.NamedTensor;
import jgrad.io.Safetensors;
import jgrad.train.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --on-nan and --deterministic through the CLI on MNIST: a learning rate of 1e30 makes the loss NaN
 * from the second step of the ReLU MLP; stop exits 1 with one line naming the step, the parameter and the
 * checkpoint that stays good; skip finishes with the skipped steps counted and finite weights.
 */
class NumericalFaultsTest {
    /** ReLU MLP, 784-32-10: 60 steps per epoch with batches of 1000. */
    private static final String[] NET = {"--device", "cpu", "--activation", "relu", "--init", "he", "--hidden", "32",
        "--batch-size", "1000"};

    @TempDir
    Path tmp;

    @BeforeAll
    static void mnist() {
        Cli.requireMnist();
    }

    private static String[] args(String[] base, String... more) {
        String[] all = new String[1 + base.length + more.length];
        all[0] = "train";
        System.arraycopy(base, 0, all, 1, base.length);
        System.arraycopy(more, 0, all, 1 + base.length, more.length);
        return all;
    }

    private static JsonNode json(Path file) throws Exception {
        return new ObjectMapper().readTree(file.toFile());
    }

    private static String errorLine(Cli r) {
        assertFalse(r.err().contains("\tat "), "no stack trace:\n" + r.err());
        return r.err().lines().filter(l -> l.startsWith("jgrad train: error: ")).findFirst().orElse(r.err());
    }

    @Test
    void stopExitsOneNamingStepAndParameterAndTheCheckpointStaysLoadable() throws Exception {
        Path dir = tmp.resolve("run");
        Cli first = Cli.run(args(NET, "--epochs", "1", "--out", dir.toString()));
        assertEquals(0, first.code(), first.err());
        Cli diverged = Cli.run("train", "--resume", dir.toString(), "--device", "cpu", "--epochs", "2", "--lr", "1e30");
        assertEquals(1, diverged.code(), diverged.err());
        assertEquals("jgrad train: error: non-finite loss at step 62 (loss NaN), first non-finite gradient in parameter "
                + "'fc1.weight'; the last good checkpoint is " + dir.resolve(Checkpoint.FILE) + " (epoch 1); try a "
                + "smaller --lr", errorLine(diverged));
        assertEquals(1, Checkpoint.read(dir).epoch(), "nothing was written after the fault");
        Cli eval = Cli.run("eval", "--checkpoint", dir.toString(), "--device", "cpu", "--metrics-json",
                tmp.resolve("eval.json").toString());
        assertEquals(0, eval.code(), eval.err());
        JsonNode evaluated = json(tmp.resolve("eval.json"));
        assertEquals(1, evaluated.get("epoch").asInt());
        assertTrue(evaluated.get("test_accuracy").asDouble() > 0.8, eval.out());
    }

    @Test
    void skipFinishesWithTheSkippedStepsCountedAndFiniteWeights() throws Exception {
        Path out = tmp.resolve("skip");
        Cli r = Cli.run(args(NET, "--steps", "5", "--lr", "1e30", "--log-every", "1", "--on-nan", "skip", "--out",
                out.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("skipped: non-finite loss at step 2 (loss NaN), first non-finite gradient in "
                + "parameter 'fc1.weight'"), r.out());
        assertTrue(r.out().contains("skipped steps  4 (non-finite loss or gradient, --on-nan skip)"), r.out());
        JsonNode m = json(out.resolve("metrics.json"));
        assertEquals(4, m.get("skipped_steps").asInt());
        assertEquals("skip", m.get("config").get("onNan").asText());
        JsonNode history = m.get("loss_history");
        assertTrue(Double.isFinite(history.get(0).asDouble()));
        for (int i = 1; i < 5; i++) {
            assertTrue(Double.isNaN(history.get(i).asDouble()), "skipped step " + (i + 1) + " recorded as NaN");
        }
        for (NamedTensor t : Safetensors.read(out.resolve("model.safetensors")).tensors()) {
            for (float v : t.data()) {
                assertTrue(Float.isFinite(v), t.name());
            }
        }
    }

    @Test
    void skipStillStopsAfterTenSkippedStepsInARow() {
        // Batches of 100: 600 steps per epoch allow 60 skips, so the run of skips is what ends it.
        Cli r = Cli.run("train", "--device", "cpu", "--activation", "relu", "--init", "he", "--hidden", "32",
                "--steps", "30", "--lr", "1e30", "--on-nan", "skip");
        assertEquals(1, r.code(), r.err());
        assertTrue(errorLine(r).startsWith("jgrad train: error: non-finite loss at step 11 (loss NaN)")
                && errorLine(r).contains("10 consecutive steps skipped (--on-nan skip gives up at 10)"), r.err());
    }

    @Test
    void onNanValuesAreChecked() {
        Cli r = Cli.run(args(NET, "--steps", "1", "--on-nan", "ignore"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--on-nan must be stop or skip, got 'ignore'"), r.err());
    }

    @Test
    void deterministicIsAcceptedOnTheCpuAndChangesNothing() throws Exception {
        Path plain = tmp.resolve("plain.json");
        Path det = tmp.resolve("det.json");
        assertEquals(0, Cli.run(args(NET, "--steps", "20", "--metrics-json", plain.toString())).code());
        assertEquals(0, Cli.run(args(NET, "--steps", "20", "--deterministic", "--metrics-json", det.toString())).code());
        assertArrayEquals(MetricsJson.losses(json(plain)), MetricsJson.losses(json(det)));
        assertTrue(Cli.run("train", "--help").out().contains("--deterministic"));
        assertTrue(Files.isRegularFile(det));
    }
}
