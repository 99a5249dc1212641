package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import jgrad.cuda.CudaProbe;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The seed's MNIST job through the CLI on a GPU: same summary and metrics as on the CPU. */
@Tag("gpu")
class TrainCudaTest {
    @ParameterizedTest
    @ValueSource(strings = {"auto", "own"})
    void seedJobOnCudaReachesTheBookAccuracy(String kernels, @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        CudaProbe.Result probe = CudaProbe.probe();
        Assumptions.assumeTrue(probe.usable(), "needs a CUDA GPU: " + probe.summary());
        Cli.requireMnist();
        Path metrics = tmp.resolve("metrics.json");
        Cli r = Cli.run("train", "--model", "mlp", "--device", "cuda", "--kernels", kernels, "--metrics-json",
                metrics.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode m = new ObjectMapper().readTree(metrics.toFile());
        assertTrue(m.get("device").asText().matches("cuda:0 .+"), m.get("device").asText());
        assertEquals(10_000, m.get("loss_history").size());
        assertTrue(m.get("test_accuracy").asDouble() >= 0.93, "accuracy " + m.get("test_accuracy"));
        System.out.printf("cuda --kernels %s: train_seconds %.3f, test_accuracy %.4f on %s%n", kernels,
                m.get("train_seconds").asDouble(), m.get("test_accuracy").asDouble(), m.get("device").asText());
    }

    @org.junit.jupiter.api.Test
    void deterministicRunsRepeatTheirLossCurveBitForBit(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        CudaProbe.Result probe = CudaProbe.probe();
        Assumptions.assumeTrue(probe.usable(), "needs a CUDA GPU: " + probe.summary());
        Cli.requireMnist();
        double[][] curves = new double[2][];
        for (int run = 0; run < 2; run++) {
            Path metrics = tmp.resolve("run" + run + ".json");
            Cli r = Cli.run("train", "--model", "convnet", "--device", "cuda", "--deterministic", "--steps", "200",
                    "--log-every", "50", "--metrics-json", metrics.toString());
            assertEquals(0, r.code(), r.err());
            curves[run] = NumericalFaultsTest.losses(new ObjectMapper().readTree(metrics.toFile()));
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(curves[0], curves[1], "convnet --deterministic on cuda");
    }
}
