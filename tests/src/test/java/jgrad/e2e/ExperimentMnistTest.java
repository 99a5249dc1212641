package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The book's chapter-6 MNIST experiments with {@code --quick}: their JSON shows what the book's
 * figures show (which curve is above which), not exact numbers.
 */
@Timeout(300)
class ExperimentMnistTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void mnist() {
        Cli.requireMnist();
    }

    private static Map<String, JsonNode> byName(JsonNode runs) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        runs.forEach(r -> m.put(r.get("name").asText(), r));
        return m;
    }

    @Test
    void sgdEndsAboveAdaGradAndAdam() throws IOException {
        JsonNode json = ExperimentTest.run(tmp.resolve("optimizers"), "optimizers", List.of(), "optimizers-loss.png");
        Map<String, JsonNode> runs = byName(json.get("runs"));
        assertEquals(List.of("SGD", "Momentum", "AdaGrad", "Adam"), List.copyOf(runs.keySet()));
        int steps = json.get("iterations").asInt();
        for (JsonNode run : runs.values()) {
            assertEquals(steps, run.get("loss").size(), run.get("name") + ": a loss per step");
            assertEquals(steps, run.get("smoothed_loss").size(), run.get("name") + ": smoothed, as long");
            assertTrue(run.get("final_loss").asDouble() < run.get("first_loss").asDouble(),
                    run.get("name") + " learns");
        }
        double sgd = runs.get("SGD").get("final_loss").asDouble();
        for (String faster : List.of("AdaGrad", "Adam", "Momentum")) {
            double other = runs.get(faster).get("final_loss").asDouble();
            assertTrue(sgd > 1.5 * other, "SGD's final loss " + sgd + " above " + faster + "'s " + other);
        }
        JsonNode smoothedSgd = runs.get("SGD").get("smoothed_loss");
        JsonNode smoothedAdam = runs.get("Adam").get("smoothed_loss");
        assertTrue(smoothedSgd.get(steps - 1).asDouble() > smoothedAdam.get(steps - 1).asDouble(),
                "the smoothed curves end in the same order");
    }

    @Test
    void smallWeightsDoNotLearnAndTheHistogramsTellTheBooksStory() throws IOException {
        JsonNode json = ExperimentTest.run(tmp.resolve("init"), "init", List.of(), "init-histograms.png", "init-loss.png");
        Map<String, JsonNode> runs = byName(json.get("runs"));
        JsonNode small = runs.get("std 0.01");
        JsonNode he = runs.get("He");
        assertTrue(Math.abs(small.get("final_loss").asDouble() - small.get("first_loss").asDouble()) < 0.05,
                "std 0.01 barely moves: " + small.get("first_loss") + " -> " + small.get("final_loss"));
        assertTrue(he.get("final_loss").asDouble() < he.get("first_loss").asDouble() - 1,
                "He falls: " + he.get("first_loss") + " -> " + he.get("final_loss"));
        assertTrue(runs.get("Xavier").get("final_loss").asDouble() > he.get("final_loss").asDouble(),
                "He ahead of Xavier with ReLU");

        Map<String, JsonNode> last = new LinkedHashMap<>();
        json.get("histograms").forEach(h -> {
            assertEquals(5, h.get("layers").size());
            h.get("layers").forEach(l -> assertEquals(30, l.get("counts").size()));
            last.put(h.get("setting").asText(), h.get("layers").get(4));
        });
        JsonNode saturated = last.get("std 1, sigmoid");
        assertTrue(share(saturated) > 0.6, "std 1: sigmoid saturates at 0 and 1: " + saturated);
        JsonNode collapsed = last.get("std 0.01, sigmoid");
        assertEquals(0.5, collapsed.get("mean").asDouble(), 0.02, "std 0.01: every unit near 0.5");
        assertTrue(collapsed.get("std").asDouble() < 0.03, "std 0.01: no spread: " + collapsed);
        JsonNode xavier = last.get("Xavier, sigmoid");
        assertTrue(share(xavier) < 0.05 && xavier.get("std").asDouble() > 4 * collapsed.get("std").asDouble(),
                "Xavier: spread out, not saturated: " + xavier);
        assertTrue(last.get("He, ReLU").get("std").asDouble() > 2 * last.get("Xavier, ReLU").get("std").asDouble(),
                "with ReLU, Xavier's activations shrink layer by layer and He's do not");
    }

    /** The share of activations below 0.1 or above 0.9. */
    private static double share(JsonNode layer) {
        return layer.get("below_0_1").asDouble() + layer.get("above_0_9").asDouble();
    }

    @Test
    void batchNormIsAheadAtMostWeightScales() throws IOException {
        JsonNode json = ExperimentTest.run(tmp.resolve("batchnorm"), "batchnorm", List.of(), "batchnorm-grid.png");
        JsonNode runs = json.get("runs");
        int epochs = json.get("epochs").asInt();
        int ahead = 0;
        double previousScale = Double.POSITIVE_INFINITY;
        for (JsonNode run : runs) {
            double scale = run.get("weight_scale").asDouble();
            assertTrue(scale < previousScale && scale >= 1e-4 * 0.999 && scale <= 1, "scales fall from 1 to 1e-4");
            previousScale = scale;
            assertEquals(epochs, run.get("batch_norm_accuracy").size());
            ahead += run.get("batch_norm_ahead").asBoolean() ? 1 : 0;
        }
        assertEquals(ahead, json.get("scales_batch_norm_ahead").asInt());
        assertTrue(ahead > runs.size() / 2, "batch norm ahead at " + ahead + " of " + runs.size() + " scales");
        double bestWithBn = 0;
        for (JsonNode run : runs) {
            bestWithBn = Math.max(bestWithBn, run.get("batch_norm_final").asDouble());
        }
        assertTrue(bestWithBn > 0.9, "with batch norm some scale learns the 1000 images: " + bestWithBn);
    }

    @Test
    void sameSeedSameNumbers() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        for (Path out : List.of(a, b)) {
            Cli cli = Cli.run("experiment", "optimizers", "--quick", "--seed", "3", "--out", out.toString());
            assertEquals(0, cli.code(), cli.err());
        }
        for (String file : List.of("optimizers.json", "optimizers.md")) {
            assertArrayEquals(Files.readAllBytes(a.resolve(file)), Files.readAllBytes(b.resolve(file)), file);
        }
    }
}
