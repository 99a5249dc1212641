package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jgrad.data.DataStore;
import jgrad.data.IdxDatasetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The book's 6.4 and 6.5 as {@code jgrad experiment overfit} and {@code hyperparams} (--quick, on
 * MNIST): what the book shows, not its exact numbers. Overfitting: 300 images are memorised, and
 * weight decay and dropout each narrow the train-test gap. The search: trials ranked by a
 * validation split of the training set, with rates and decays from their ranges, and the test set
 * never read, shown by running it where the test files are garbage.
 */
@Timeout(300)
class RegularisationAndSearchTest {
    @TempDir
    Path tmp;

    @Test
    void regularisationNarrowsTheGapOfANetThatMemorisesItsTrainingImages() throws IOException {
        Cli.requireMnist();
        JsonNode overfit = ExperimentTest.run(tmp.resolve("overfit"), "overfit", List.of(), "overfit-plain.png",
                "overfit-weight-decay.png", "overfit-dropout.png", "overfit-gap.png");
        assertEquals(300, overfit.get("train_images").asInt());
        int epochs = overfit.get("epochs").asInt();
        Map<String, JsonNode> runs = new LinkedHashMap<>();
        overfit.get("runs").forEach(r -> runs.put(r.get("name").asText(), r));
        assertEquals(List.of("plain", "weight-decay", "dropout"), List.copyOf(runs.keySet()));
        for (JsonNode run : runs.values()) {
            for (String split : List.of("train", "test")) {
                JsonNode curve = run.get(split + "_accuracy_per_epoch");
                assertEquals(epochs, curve.size(), run.get("name") + " " + split + ": one accuracy per epoch");
                assertEquals(run.get("final_" + split + "_accuracy").asDouble(), curve.get(epochs - 1).asDouble());
                curve.forEach(a -> assertTrue(a.asDouble() >= 0 && a.asDouble() <= 1, a.toString()));
            }
        }
        JsonNode plain = runs.get("plain");
        assertTrue(plain.get("final_train_accuracy").asDouble() >= 0.97,
                "the plain net memorises its 300 images: train accuracy " + plain.get("final_train_accuracy"));
        assertTrue(plain.get("late_gap").asDouble() > 0.15, "and tests far below: gap " + plain.get("late_gap"));
        for (String regularised : List.of("weight-decay", "dropout")) {
            JsonNode run = runs.get(regularised);
            assertTrue(run.get("late_gap").asDouble() < plain.get("late_gap").asDouble(), regularised
                    + " narrows the gap: " + run.get("late_gap") + " vs plain " + plain.get("late_gap"));
            assertTrue(run.get("final_train_accuracy").asDouble() < plain.get("final_train_accuracy").asDouble(),
                    regularised + " keeps the net from memorising: train accuracy " + run.get("final_train_accuracy"));
        }
        assertEquals(0.1, runs.get("weight-decay").get("weight_decay").asDouble(), 1e-6);
        assertEquals(0.2, runs.get("dropout").get("dropout").asDouble(), 1e-6);
    }

    @Test
    void theSearchRanksTrialsByAValidationSplitAndNeverReadsTheTestSet() throws IOException {
        Path installed = Cli.requireMnist();
        // A data folder with MNIST's real training files and garbage for the test files: reading the
        // test set in any way (loading, verifying, parsing) fails, and their presence keeps a missing-
        // file fetch from replacing them.
        IdxDatasetSpec mnist = IdxDatasetSpec.MNIST;
        DataStore real = new DataStore(installed);
        DataStore trap = new DataStore(tmp.resolve("data"));
        Files.createDirectories(trap.root().resolve(mnist.name()));
        for (var file : List.of(mnist.trainImages(), mnist.trainLabels())) {
            try {
                Files.createSymbolicLink(trap.path(mnist, file), real.path(mnist, file));
            } catch (UnsupportedOperationException | IOException noLinks) {  // a file system without them
                Files.copy(real.path(mnist, file), trap.path(mnist, file));
            }
        }
        for (var file : List.of(mnist.testImages(), mnist.testLabels())) {
            Files.writeString(trap.path(mnist, file), "not the test set", StandardCharsets.US_ASCII);
        }
        // the trap works: an experiment that does read the test set fails on it
        Cli reader = Cli.run("experiment", "overfit", "--quick", "--data-dir", trap.root().toString());
        assertNotEquals(0, reader.code());
        assertTrue(reader.err().contains("t10k-images-idx3-ubyte"), reader.err());

        JsonNode search = ExperimentTest.run(tmp.resolve("hyperparams"), "hyperparams",
                List.of("--data-dir", trap.root().toString()), "hyperparams-best.png", "hyperparams-scatter.png");
        assertEquals(400, search.get("train_images").asInt());
        assertEquals(100, search.get("validation_images").asInt());
        Set<Integer> validationRows = new HashSet<>();
        search.get("validation_rows").forEach(r -> validationRows.add(r.asInt()));
        assertEquals(100, validationRows.size(), "100 distinct images held out");
        assertTrue(validationRows.stream().allMatch(r -> r >= 0 && r < 500), "of MNIST's first 500 training images");

        int epochs = search.get("epochs").asInt();
        JsonNode trials = search.get("trials");
        assertTrue(trials.size() >= 10, "trials: " + trials.size());
        List<Double> rates = new ArrayList<>();
        double previous = Double.POSITIVE_INFINITY;
        for (int i = 0; i < trials.size(); i++) {
            JsonNode t = trials.get(i);
            assertEquals(i + 1, t.get("rank").asInt());
            double validation = t.get("validation_accuracy").asDouble();
            assertTrue(validation <= previous, "ranked by validation accuracy: " + validation + " after " + previous);
            previous = validation;
            JsonNode curve = t.get("validation_accuracy_per_epoch");
            assertEquals(epochs, curve.size());
            assertEquals(validation, curve.get(epochs - 1).asDouble(), "the last epoch's validation accuracy");
            assertEquals(epochs, t.get("train_accuracy_per_epoch").size());
            double lr = t.get("lr").asDouble();
            double decay = t.get("weight_decay").asDouble();
            assertTrue(lr >= 1e-6 * (1 - 1e-6) && lr <= 1e-2 * (1 + 1e-6), "lr in 10^[-6, -2]: " + lr);
            assertTrue(decay >= 1e-8 * (1 - 1e-6) && decay <= 1e-4 * (1 + 1e-6), "decay in 10^[-8, -4]: " + decay);
            rates.add(lr);
        }
        // the book's finding: the learning rate decides; the best trials have the largest rates
        int quarter = trials.size() / 4;
        double bestQuarter = median(rates.subList(0, quarter));
        double worstQuarter = median(rates.subList(trials.size() - quarter, trials.size()));
        assertTrue(bestQuarter > 10 * worstQuarter, "the best quarter's median lr " + bestQuarter
                + " is far above the worst quarter's " + worstQuarter);
        assertTrue(trials.get(0).get("validation_accuracy").asDouble() > 0.2, "the best trial learns: "
                + trials.get(0).get("validation_accuracy"));
    }

    private static double median(List<Double> xs) {
        List<Double> sorted = xs.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
