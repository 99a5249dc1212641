package jgrad.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jgrad.cuda.CudaProbe;
import jgrad.e2e.Cli;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report commands on the jgrad CUDA simulator, in-process: devices names the simulated
 * device in both its sections and every provider's self-test passes on it; bench runs every
 * suite's path once and gives no figure (issue 12: nothing measured on the simulator is a GPU
 * figure); compare runs the GPU side and shows its loss and accuracy but no time or speed-up.
 * Runs only where the simulator is the CUDA device (the cuda-simulator Maven profile).
 */
@Tag("gpu")
@Timeout(240)
class SimulatorReportsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @BeforeAll
    static void onlyOnTheSimulator() {
        CudaProbe.Result probe = CudaProbe.probe();
        Assumptions.assumeTrue(probe.simulated(), "needs the jgrad CUDA simulator: " + probe.summary());
    }

    @Test
    void devicesNamesTheSimulatedDeviceInTheCudaAndNvmlSections() throws Exception {
        Cli r = Cli.run("devices", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        JsonNode cuda = j.at("/cuda/gpus/0");
        JsonNode nvml = j.at("/nvml/gpus/0");
        assertTrue(j.at("/cuda/available").asBoolean() && j.at("/nvml/available").asBoolean(), r.out());
        assertTrue(cuda.get("name").asText().startsWith(CudaProbe.SIMULATOR_NAME), cuda.toString());
        assertTrue(nvml.get("name").asText().startsWith(CudaProbe.SIMULATOR_NAME), nvml.toString());
        // The bench matches the two sections' GPUs by bus id: both must write it the same way.
        assertEquals(cuda.get("bus_id").asText(), nvml.get("bus_id").asText());
        assertTrue(j.at("/nvml/driver_version").asText().contains("simulated"), j.at("/nvml").toString());
    }

    @Test
    void selftestPassesForEveryProvider() throws Exception {
        Cli r = Cli.run("devices", "--selftest", "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode tests = JSON.readTree(r.out()).get("selftest");
        List<String> providers = new ArrayList<>();
        tests.forEach(t -> providers.add(t.get("provider").asText()));
        assertEquals(List.of("CPU", "CUDA own", "cuBLAS", "cuDNN"), providers, tests.toString());
        for (JsonNode t : tests) {
            assertEquals("PASS", t.get("status").asText(), t.toString());
        }
    }

    @Test
    void benchRunsEverySuiteOnceAndGivesNoFigure() throws Exception {
        Path json = tmp.resolve("bench.json");
        Path md = tmp.resolve("bench.md");
        Cli r = Cli.run("bench", "--device", "cuda", "--quick", "--json", json.toString(), "--markdown", md.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("cuda:0 is SIMULATED"), r.out());
        assertTrue(r.out().contains("timing: none: the only device is simulated"), r.out());
        // The NVML lookup finds the simulated GPU by its bus id; only its peak inputs are "Not Supported".
        assertFalse(r.out().contains("no GPU on bus"), r.out());
        assertTrue(r.out().contains("NVML GPU 0 on bus 00000000:00:00.0: max SM clock: Not Supported"), r.out());

        JsonNode j = JSON.readTree(json.toFile());
        assertTrue(j.get("simulated").asBoolean(), j.toString());
        JsonNode results = j.get("results");
        for (String suite : new String[] {"gemm", "conv", "memory", "ops", "train"}) {
            long rows = 0;
            for (JsonNode row : results) {
                rows += row.get("suite").asText().equals(suite) ? 1 : 0;
            }
            assertTrue(rows > 0, "no " + suite + " rows in " + results);
        }
        for (JsonNode row : results) {
            assertEquals("SIMULATED", row.get("status").asText(), row.toString());
            for (String figure : new String[] {"value", "median_ms", "min_ms", "max_ms", "peak_fraction"}) {
                assertTrue(row.get(figure).isNull(), figure + " in " + row);
            }
            assertTrue(row.get("note").asText().startsWith("simulated device: ran once, not timed"), row.toString());
        }
        // Both training paths (cuBLAS/cuDNN and own PTX) ran all three model kinds to a finite loss.
        assertEquals(6, results.findValues("suite").stream().filter(s -> s.asText().equals("train")).count());

        String markdown = Files.readString(md);
        assertTrue(markdown.contains("| cuda:0 | own PTX | 64x64x64 NN | SIMULATED | - | - | - | - |"), markdown);
        assertTrue(markdown.contains("cuda:0 is SIMULATED"), markdown);
    }

    @Test
    void compareRunsTheGpuSideAndClaimsNoSpeedUp() throws Exception {
        Cli.requireMnist();
        Path out = tmp.resolve("cmp");
        Cli r = Cli.run("compare", "--model", "mlp", "--steps", "20", "--cpu-steps", "10", "--log-every", "10",
                "--device", "cuda", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("(SIMULATED)"), r.out());
        String speedUp = r.out().lines().filter(l -> l.startsWith("speed-up")).findFirst().orElseThrow();
        assertTrue(speedUp.endsWith("simulated: not timed"), speedUp);
        assertFalse(speedUp.matches(".*\\d+\\.\\dx.*"), speedUp);
        assertTrue(r.out().contains("GPU: simulated (the jgrad CUDA simulator)"), r.out());

        JsonNode j = JSON.readTree(out.resolve("compare.json").toFile());
        assertTrue(j.at("/gpu/available").asBoolean() && j.at("/gpu/simulated").asBoolean(), j.toString());
        assertTrue(j.get("speedup").isNull(), j.toString());
        assertTrue(j.at("/gpu/ms_per_step").isNull() && j.at("/gpu/images_per_second").isNull(), j.toString());
        assertEquals(20, j.at("/gpu/steps_run").asInt());
        assertTrue(Double.isFinite(j.at("/gpu/final_loss").asDouble()), j.toString());
        assertTrue(Files.readString(out.resolve("compare.md")).contains("simulated: not timed"));
        assertTrue(Files.size(out.resolve("compare.png")) > 0);
    }
}
