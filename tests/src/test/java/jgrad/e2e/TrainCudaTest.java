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
    /**
     * Steps of the seed job on the simulator, which runs every kernel instruction by instruction:
     * 300 with cuBLAS (the simulator's GEMM is C++), 100 with the own PTX GEMM (about 5·10^7 PTX
     * instructions per step, half a second on one core).
     */
    /** Test images evaluated on the simulator (each costs a forward pass there): 2 000 of MNIST's 10 000. */
    static final int SIMULATED_TEST_IMAGES = 2000;

    static int simulatedSteps(String kernels) {
        return kernels.equals("own") ? 100 : 300;
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "own"})
    void seedJobOnCudaReachesTheBookAccuracy(String kernels, @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        CudaProbe.Result probe = CudaProbe.probe();
        Assumptions.assumeTrue(probe.usable(), "needs a CUDA GPU: " + probe.summary());
        Cli.requireMnist();
        if (probe.simulated()) {
            seedJobOnTheSimulatorMatchesTheCpu(kernels, tmp);
            return;
        }
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

    /**
     * The first {@link #simulatedSteps} steps of the seed job on the simulator and on the CPU, same
     * seed: test accuracy within 0.01, and the loss curves within 2% of each other at every step
     * (GEMM summation order differs, so bits do not match, and rounding compounds over the run).
     */
    private static void seedJobOnTheSimulatorMatchesTheCpu(String kernels, Path tmp) throws Exception {
        int steps = simulatedSteps(kernels);
        JsonNode[] runs = new JsonNode[2];
        String[] devices = {"cpu", "cuda"};
        for (int i = 0; i < 2; i++) {
            Path metrics = tmp.resolve(devices[i] + ".json");
            Cli r = i == 0
                    ? Cli.run("train", "--model", "mlp", "--device", "cpu", "--steps", "" + steps,
                            "--test-limit", "" + SIMULATED_TEST_IMAGES, "--no-warmup", "--metrics-json",
                            metrics.toString())
                    : Cli.run("train", "--model", "mlp", "--device", "cuda", "--kernels", kernels, "--steps",
                            "" + steps, "--test-limit", "" + SIMULATED_TEST_IMAGES, "--no-warmup", "--metrics-json",
                            metrics.toString());
            assertEquals(0, r.code(), r.err());
            runs[i] = new ObjectMapper().readTree(metrics.toFile());
            // The simulator's times are host time, and every place that shows one says so.
            assertEquals(i == 1, runs[i].get("simulated").asBoolean(), devices[i] + ": \"simulated\" in the JSON");
            assertEquals(i == 1, r.out().contains("train seconds") && r.out().contains("(simulated device: host time, "
                    + "not a GPU figure)"), r.out());
        }
        assertTrue(runs[1].get("device").asText().startsWith("cuda:0 " + CudaProbe.SIMULATOR_NAME),
                runs[1].get("device").asText());
        double[] cpu = MetricsJson.losses(runs[0]);
        double[] cuda = MetricsJson.losses(runs[1]);
        assertEquals(steps, cuda.length);
        for (int step = 0; step < cpu.length; step++) {
            assertEquals(cpu[step], cuda[step], 0.02 * Math.abs(cpu[step]) + 1e-4,
                    "loss at step " + (step + 1) + ", --kernels " + kernels);
        }
        double accCpu = runs[0].get("test_accuracy").asDouble();
        double accCuda = runs[1].get("test_accuracy").asDouble();
        assertEquals(accCpu, accCuda, 0.01, "test accuracy, --kernels " + kernels);
        System.out.printf("simulator --kernels %s, %d steps: test_accuracy %.4f (cpu %.4f)%n", kernels,
                steps, accCuda, accCpu);
    }

    @org.junit.jupiter.api.Test
    void deterministicRunsRepeatTheirLossCurveBitForBit(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        CudaProbe.Result probe = CudaProbe.probe();
        Assumptions.assumeTrue(probe.usable(), "needs a CUDA GPU: " + probe.summary());
        Cli.requireMnist();
        double[][] curves = new double[2][];
        for (int run = 0; run < 2; run++) {
            Path metrics = tmp.resolve("run" + run + ".json");
            String steps = probe.simulated() ? "20" : "200";
            String testImages = probe.simulated() ? "500" : "10000";
            Cli r = Cli.run("train", "--model", "convnet", "--device", "cuda", "--deterministic", "--steps", steps,
                    "--test-limit", testImages, "--log-every", "5", "--no-warmup", "--metrics-json", metrics.toString());
            assertEquals(0, r.code(), r.err());
            curves[run] = MetricsJson.losses(new ObjectMapper().readTree(metrics.toFile()));
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(curves[0], curves[1], "convnet --deterministic on cuda");
    }
}
