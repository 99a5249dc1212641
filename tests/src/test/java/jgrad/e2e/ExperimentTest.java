package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jgrad experiment NAME --quick}: each experiment runs in seconds and its JSON shows what the
 * book or the course shows (not exact numbers); its figures are real PNGs and its table is printed
 * and written as Markdown.
 */
@Timeout(120)
class ExperimentTest {
    @TempDir
    Path tmp;

    private JsonNode run(String name, String... figures) throws IOException {
        return run(tmp.resolve(name), name, List.of(), figures);
    }

    /**
     * {@code jgrad experiment NAME --quick --out OUT OPTIONS}: succeeds quietly, writes the figures
     * (chart-sized PNGs) and NAME.md, prints the table; returns NAME.json.
     */
    static JsonNode run(Path out, String name, List<String> options, String... figures) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("experiment", name, "--quick", "--out", out.toString()));
        args.addAll(options);
        Cli cli = Cli.run(args.toArray(String[]::new));
        assertEquals(0, cli.code(), cli.err());
        assertEquals("", cli.err());
        String markdown = Files.readString(out.resolve(name + ".md"));
        assertTrue(markdown.startsWith("# "), markdown);
        assertTrue(markdown.contains("|---"), markdown);
        for (String figure : figures) {
            BufferedImage png = ImageIO.read(out.resolve(figure).toFile());
            assertTrue(png != null && png.getWidth() >= 800, figure + " is a chart-sized PNG");
        }
        // the printed table is the Markdown one's content
        String firstHeader = markdown.lines().filter(l -> l.startsWith("| ")).findFirst().orElseThrow()
                .split("\\|")[1].trim();
        assertTrue(cli.out().contains(firstHeader), cli.out());
        return new ObjectMapper().readTree(out.resolve(name + ".json").toFile());
    }

    @Test
    void xorClassifiesAllFourPoints() throws IOException {
        JsonNode xor = run("xor", "xor-loss.png", "xor-boundary.png");
        assertEquals(4, xor.get("correct").asInt());
        for (JsonNode point : xor.get("points")) {
            double output = point.get("output").asDouble();
            int target = point.get("target").asInt();
            assertTrue(target == 1 ? output > 0.5 : output < 0.5, point.toString());
        }
        JsonNode loss = xor.get("loss_per_epoch");
        assertEquals(xor.get("epochs").asInt(), loss.size());
        assertTrue(xor.get("final_loss").asDouble() < xor.get("first_loss").asDouble() / 10,
                "the loss falls by 10x: " + xor.get("first_loss") + " -> " + xor.get("final_loss"));
    }

    @Test
    void irisReachesTheCoursesAccuracyOnAFixedStratifiedSplit() throws IOException {
        JsonNode iris = run("iris", "iris-loss.png", "iris-accuracy.png");
        assertTrue(iris.get("test_accuracy").asDouble() >= 0.93, "test accuracy " + iris.get("test_accuracy"));
        java.util.Set<Integer> rows = new java.util.TreeSet<>();
        iris.get("train_rows").forEach(r -> rows.add(r.asInt()));
        iris.get("test_rows").forEach(r -> rows.add(r.asInt()));
        assertEquals(120, iris.get("train_rows").size());
        assertEquals(30, iris.get("test_rows").size());
        assertEquals(150, rows.size(), "the splits are disjoint and cover the data");
        JsonNode confusion = iris.get("confusion_matrix");
        int right = 0;
        for (int t = 0; t < 3; t++) {
            int perSpecies = 0;
            for (int p = 0; p < 3; p++) {
                perSpecies += confusion.get(t).get(p).asInt();
            }
            assertEquals(10, perSpecies, "stratified: 10 test flowers of species " + t);
            right += confusion.get(t).get(t).asInt();
        }
        assertEquals(iris.get("test_accuracy").asDouble(), right / 30.0, 1e-9, "accuracy agrees with the matrix");
        JsonNode loss = iris.get("loss_per_epoch");
        assertTrue(loss.get(loss.size() - 1).asDouble() < loss.get(0).asDouble() / 3, loss.toString());
        // another seed draws other weights and batches, never other test flowers
        Path other = tmp.resolve("iris-seed-1");
        assertEquals(0, Cli.run("experiment", "iris", "--quick", "--seed", "1", "--out", other.toString()).code());
        assertEquals(iris.get("test_rows"), new ObjectMapper().readTree(other.resolve("iris.json").toFile())
                .get("test_rows"));
    }

    @Test
    void gdOptimizersReachTheMinimumAndSgdZigZags() throws IOException {
        JsonNode gd = run("gd", "gd-descent.png", "gd-optimizers.png");
        Map<String, JsonNode> runs = new java.util.LinkedHashMap<>();
        gd.get("runs").forEach(r -> runs.put(r.get("name").asText(), r));
        assertEquals(List.of("gradient descent", "SGD", "Momentum", "AdaGrad", "Adam"), List.copyOf(runs.keySet()));
        JsonNode descent = runs.get("gradient descent");
        assertTrue(descent.get("f_end").asDouble() < descent.get("f_start").asDouble() / 100, descent.toString());
        for (JsonNode run : runs.values()) {
            String name = run.get("name").asText();
            assertEquals(run.get("steps").asInt() + 1, run.get("xs").size(), name + ": start and every step");
            assertTrue(run.get("f_end").asDouble() < run.get("f_start").asDouble() / 20, name + " ends near the "
                    + "minimum: f " + run.get("f_start") + " -> " + run.get("f_end"));
            assertTrue(Math.abs(run.get("end").get(0).asDouble()) < 1 && Math.abs(run.get("end").get(1).asDouble()) < 1,
                    name + " ends near (0, 0): " + run.get("end"));
        }
        // SGD's first step is the book's w -= lr * grad: grad of x^2/20 + y^2 at (-7, 2) is (-0.7, 4)
        JsonNode sgd = runs.get("SGD");
        assertEquals(-7 + 0.95 * 0.7, sgd.get("xs").get(1).asDouble(), 1e-5);
        assertEquals(2 - 0.95 * 4, sgd.get("ys").get(1).asDouble(), 1e-5);
        for (String smooth : List.of("Momentum", "Adam", "AdaGrad")) {
            JsonNode other = runs.get(smooth);
            assertTrue(sgd.get("y_reversals").asInt() > 2 * other.get("y_reversals").asInt(),
                    "SGD zig-zags more than " + smooth + ": " + sgd.get("y_reversals") + " vs " + other.get("y_reversals"));
            assertTrue(sgd.get("path_length").asDouble() > other.get("path_length").asDouble(),
                    "SGD's path is the longest: " + sgd.get("path_length") + " vs " + other.get("path_length"));
        }
    }

    /**
     * Book 7.6: trained first-layer filters have moved far from their 0.01·N(0, 1) start and gained
     * spatial structure. Neighbouring weights of an initial filter are independent draws (correlation
     * about -1/24 once centred on the filter's mean); trained ones are edge and blob detectors whose
     * weights change smoothly, so their neighbour correlation is clearly positive for most filters.
     */
    @Test
    void filtersGainSpatialStructureInTraining() throws IOException {
        Cli.requireMnist();
        JsonNode filters = run("filters", "filters.png");
        JsonNode before = filters.get("before");
        JsonNode after = filters.get("after");
        assertEquals(30 * 25, before.get("weights").size());
        assertEquals(30 * 25, after.get("weights").size());
        double initialAbs = before.get("mean_abs_weight").asDouble();
        assertTrue(initialAbs > 0.006 && initialAbs < 0.010, "0.01·N(0,1) has mean |w| 0.008: " + initialAbs);
        assertTrue(filters.get("relative_change").asDouble() > 2, "the filters moved by more than twice their initial "
                + "norm: " + filters.get("relative_change"));
        double r0 = before.get("neighbour_correlation").asDouble();
        double r1 = after.get("neighbour_correlation").asDouble();
        assertTrue(Math.abs(r0) < 0.15, "random filters have no spatial structure: " + r0);
        assertTrue(r1 > 0.3 && r1 > r0 + 0.3, "trained filters are smooth: " + r0 + " -> " + r1);
        assertTrue(after.get("filters_above_0_2").asInt() >= 20, "most trained filters are structured: "
                + after.get("filters_above_0_2"));
        assertTrue(before.get("filters_above_0_2").asInt() <= 6, "few random ones look so: "
                + before.get("filters_above_0_2"));
        assertTrue(after.get("test_accuracy").asDouble() > 0.8 && before.get("test_accuracy").asDouble() < 0.3,
                "the net learnt: " + before.get("test_accuracy") + " -> " + after.get("test_accuracy"));
        assertEquals(200, filters.get("steps").asInt(), "--quick: 10 epochs of 2000 images, batch 100");
    }

    @Test
    void helpListsEveryExperiment() {
        Cli help = Cli.run("experiment", "--help");
        assertEquals(0, help.code());
        // the names the unknown-name error lists are the ones --help describes
        Cli unknown = Cli.run("experiment", "none");
        String listed = unknown.err().replaceAll("(?s).*\\(expected ([^)]*)\\).*", "$1");
        for (String name : listed.split(", ")) {
            assertTrue(help.out().contains("  " + name + " "), name + " in --help:\n" + help.out());
        }
    }

    @Test
    void sameSeedSameNumbers() throws IOException {
        Cli first = Cli.run("experiment", "xor", "--quick", "--seed", "7", "--out", tmp.resolve("a").toString());
        Cli second = Cli.run("experiment", "xor", "--quick", "--seed", "7", "--out", tmp.resolve("b").toString());
        assertEquals(0, first.code(), first.err());
        assertEquals(0, second.code(), second.err());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a/xor.json")), Files.readAllBytes(tmp.resolve("b/xor.json")));
    }
}
