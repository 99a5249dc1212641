package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import jgrad.io.Safetensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The acceptance runs on real MNIST, through the CLI. */
class TrainMnistTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void mnist() {
        Cli.requireMnist();
    }

    private JsonNode train(String... extra) throws Exception {
        Path metrics = tmp.resolve("m" + System.nanoTime() + ".json");
        String[] args = new String[extra.length + 5];
        args[0] = "train";
        args[1] = "--device";
        args[2] = "cpu";
        args[3] = "--metrics-json";
        args[4] = metrics.toString();
        System.arraycopy(extra, 0, args, 5, extra.length);
        Cli r = Cli.run(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("test accuracy"), r.out());
        return new ObjectMapper().readTree(metrics.toFile());
    }

    @Test
    void seedJobReachesTheBookAccuracy() throws Exception {
        JsonNode m = train();
        for (String key : new String[] {"model", "device", "steps", "train_seconds", "ms_per_step", "final_loss",
                "test_accuracy", "loss_history"}) {
            assertTrue(m.has(key), "metrics has " + key);
        }
        assertEquals(10_000, m.get("steps").asInt());
        assertEquals(10_000, m.get("loss_history").size());
        assertEquals("cpu", m.get("device").asText());
        assertTrue(m.get("test_accuracy").asDouble() >= 0.93, "accuracy " + m.get("test_accuracy"));
    }

    @Test
    void adamReluHeFiveEpochsReachesNinetySevenAndAHalf() throws Exception {
        // With the seed's 100 hidden units this job ends at 0.973, as PyTorch does with the same
        // settings (0.972/0.973 for two seeds); 300 units clear the bar. Adam's default lr is 0.001.
        JsonNode m = train("--optimizer", "adam", "--activation", "relu", "--init", "he", "--epochs", "5",
                "--hidden", "300");
        assertEquals(5 * 600, m.get("steps").asInt());
        assertTrue(m.get("test_accuracy").asDouble() >= 0.975, "accuracy " + m.get("test_accuracy"));
    }

    @Test
    void sameSeedGivesBitIdenticalLossHistory() throws Exception {
        String[] job = {"--steps", "300", "--optimizer", "momentum", "--dropout", "0.2", "--batch-norm",
                "--weight-decay", "1e-4", "--seed", "7"};
        double[] a = MetricsJson.losses(train(job));
        double[] b = MetricsJson.losses(train(job));
        assertArrayEquals(a, b);
        double[] c = MetricsJson.losses(train("--steps", "300", "--seed", "8"));
        assertTrue(a[299] != c[299], "another seed gives another run");
    }

    @Test
    void outDirHoldsWeightsCurveAndMetrics() throws Exception {
        Path out = tmp.resolve("run");
        train("--steps", "200", "--out", out.toString());
        var weights = Safetensors.read(out.resolve("model.safetensors")).asMap();
        assertArrayEquals(new int[] {100, 784}, weights.get("fc1.weight").shape(), "PyTorch's Linear layout [out, in]");
        assertArrayEquals(new int[] {10}, weights.get("fc2.bias").shape());
        var png = ImageIO.read(out.resolve("loss.png").toFile());
        assertTrue(png.getWidth() >= 800, "loss curve rendered");
        assertTrue(Files.size(out.resolve("metrics.json")) > 100);
    }

    @Test
    void gradcheckPassesForEveryParameter() {
        for (String[] net : new String[][] {{}, {"--activation", "relu", "--init", "he", "--hidden", "30,20"},
                {"--batch-norm", "--activation", "tanh", "--init", "xavier", "--hidden", "16"}}) {
            String[] args = new String[net.length + 1];
            args[0] = "gradcheck";
            System.arraycopy(net, 0, args, 1, net.length);
            Cli r = Cli.run(args);
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("fc1.weight") && r.out().contains("PASS") && !r.out().contains("FAIL"),
                    r.out());
        }
    }

    @Test
    void convNetLearnsMnistAndSavesOihwWeights() throws Exception {
        // 300 Adam steps of the book's SimpleConvNet (the 3-epoch run reaches 0.983 in ~40 s).
        Path out = tmp.resolve("convnet");
        JsonNode m = train("--model", "convnet", "--steps", "300", "--out", out.toString());
        assertEquals("convnet", m.get("model").asText());
        assertEquals("adam", m.get("config").get("optimizer").asText(), "the convnet's default optimizer");
        assertTrue(m.get("test_accuracy").asDouble() >= 0.95, "accuracy " + m.get("test_accuracy"));
        var weights = Safetensors.read(out.resolve("model.safetensors")).asMap();
        assertArrayEquals(new int[] {30, 1, 5, 5}, weights.get("conv1.weight").shape());
        assertArrayEquals(new int[] {100, 4320}, weights.get("fc1.weight").shape(), "PyTorch's Linear layout [out, in]");
    }

    @Test
    void resnetOptionsThatDoNotApplyAreUsageErrors() {
        for (String[] args : new String[][] {{"train", "--model", "resnet18", "--hidden", "50"},
                {"train", "--model", "resnet8", "--stem", "imagenet"},
                {"train", "--model", "convnet", "--batch-norm"},
                {"gradcheck", "--model", "convnet"}}) {
            Cli r = Cli.run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().contains("--hidden") || r.err().contains("--stem") || r.err().contains("--batch-norm")
                    || r.err().contains("mlp only"), r.err());
        }
    }
}
