package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import jgrad.cuda.CudaProbe;
import jgrad.sim.ChildJvm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CLI's CUDA path end to end on the CUDA simulator, at sizes it runs in seconds
 * (--train-limit/--test-limit): the conv nets (the book's two, resnet8) with the own kernels and with cuBLAS/cuDNN,
 * checkpoints moving between cuda and cpu, and a device too small for the job. On a real GPU
 * TrainCudaTest and the gpu-tagged engine tests cover the same ground at full size.
 */
@Tag("gpu")
class SimulatorTrainTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void simulatorAndMnist() {
        CudaProbe.Result probe = CudaProbe.probe();
        Assumptions.assumeTrue(probe.simulated(), "needs the jgrad CUDA simulator: " + probe.summary());
        Cli.requireMnist();
    }

    private JsonNode train(String name, String... args) throws Exception {
        Path metrics = tmp.resolve(name + ".json");
        List<String> all = new ArrayList<>(List.of("train", "--no-warmup", "--metrics-json", metrics.toString()));
        all.addAll(Arrays.asList(args));
        Cli r = Cli.run(all.toArray(String[]::new));
        assertEquals(0, r.code(), String.join(" ", all) + "\n" + r.err());
        return new ObjectMapper().readTree(metrics.toFile());
    }

    /**
     * Two steps of each conv net on 4 images: the first loss (same initial weights, same batch, before
     * any update) agrees with the CPU's to 1e-4 relative; the second, after one update, to 1e-3.
     */
    @ParameterizedTest
    @CsvSource({"convnet, own", "convnet, vendor", "deepconvnet, own", "deepconvnet, vendor", "resnet8, own",
        "resnet8, vendor"})
    void convNetsTrainOnCudaAsOnTheCpu(String model, String kernels) throws Exception {
        String[] job = {"--model", model, "--steps", "2", "--batch-size", "4", "--train-limit", "64", "--test-limit",
            "8", "--log-every", "1"};
        JsonNode cpu = train("cpu", concat(job, "--device", "cpu"));
        JsonNode cuda = train("cuda", concat(job, "--device", "cuda", "--kernels", kernels));
        assertTrue(cuda.get("device").asText().startsWith("cuda:0 " + CudaProbe.SIMULATOR_NAME), cuda.toString());
        double[] want = MetricsJson.losses(cpu);
        double[] got = MetricsJson.losses(cuda);
        assertEquals(2, got.length);
        String what = model + " --kernels " + kernels;
        assertEquals(want[0], got[0], 1e-4 * Math.abs(want[0]), what + ": loss of step 1");
        assertEquals(want[1], got[1], 1e-3 * Math.abs(want[1]), what + ": loss of step 2");
        assertEquals(cpu.get("test_accuracy").asDouble(), cuda.get("test_accuracy").asDouble(), 1.0 / 8 + 1e-9,
                what + ": at most one of the 8 test images changes its prediction");
    }

    /**
     * A run paused after epoch 1 on one device and resumed on the other ends as the same run done on
     * the CPU alone: the first epoch's losses are kept as written, the second epoch's agree within 2%
     * (GEMM summation order differs between the devices) and so does the test accuracy.
     */
    @ParameterizedTest
    @CsvSource({"cuda, cpu", "cpu, cuda"})
    void checkpointWrittenOnOneDeviceResumesOnTheOther(String first, String second) throws Exception {
        String[] job = {"--model", "mlp", "--hidden", "50", "--epochs", "2", "--batch-size", "100", "--train-limit",
            "1000", "--test-limit", "500", "--log-every", "5"};
        JsonNode whole = train("whole", concat(job, "--device", "cpu"));
        Path run = tmp.resolve("run");
        JsonNode paused = train("paused", concat(job, "--device", first, "--out", run.toString(),
                "--stop-after-epoch", "1"));
        assertEquals(10, paused.get("loss_history").size());
        Cli resumed = Cli.run("train", "--resume", run.toString(), "--device", second, "--no-warmup");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("at epoch 1 (step 10)"), resumed.out());
        JsonNode end = new ObjectMapper().readTree(run.resolve("metrics.json").toFile());
        assertTrue(end.get("complete").asBoolean());
        double[] before = MetricsJson.losses(paused);
        double[] after = MetricsJson.losses(end);
        double[] reference = MetricsJson.losses(whole);
        assertEquals(20, after.length);
        for (int step = 0; step < 20; step++) {
            if (step < 10) {
                assertEquals(before[step], after[step], 0, "epoch 1 loss at step " + (step + 1) + " is kept");
            }
            assertEquals(reference[step], after[step], 0.02 * Math.abs(reference[step]),
                    first + " then " + second + ": loss at step " + (step + 1));
        }
        assertEquals(whole.get("test_accuracy").asDouble(), end.get("test_accuracy").asDouble(), 0.02,
                first + " then " + second + ": test accuracy");
    }

    /** A model larger than the simulated device's 64 MiB: one line naming the sizes, no stack trace. */
    @Test
    void aJobTooLargeForTheDeviceGetsTheOutOfMemoryError() throws Exception {
        ChildJvm r = ChildJvm.run(Map.of("JGRAD_SIM_MEMORY", "64M"), 120, "train", "--model", "mlp", "--hidden",
                "4000,4000", "--device", "cuda", "--steps", "1", "--train-limit", "200", "--test-limit", "10",
                "--no-warmup");
        assertNotEquals(0, r.code(), r.out());
        assertTrue(r.err().contains("CUDA out of memory: tried to allocate"), r.err());
        assertTrue(r.err().contains("Hint: lower --batch-size"), r.err());
        assertFalse(r.err().contains("\tat jgrad."), "no stack trace:\n" + r.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
