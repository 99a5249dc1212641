package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import jgrad.cuda.CudaProbe;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The experiments on {@code --device cuda} (a GPU, or the simulator where there is none) compute what
 * they compute on the CPU: the same classifications and, step by step, the same curves up to float32
 * rounding (the devices sum in other orders).
 */
@Tag("gpu")
class ExperimentCudaTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"xor", "iris", "gd"})
    void cudaMatchesTheCpu(String name) throws Exception {
        CudaProbe.Result probe = CudaProbe.probe();
        Assumptions.assumeTrue(probe.usable(), "needs a CUDA GPU: " + probe.summary());
        JsonNode[] runs = new JsonNode[2];
        String[] devices = {"cpu", "cuda"};
        for (int i = 0; i < 2; i++) {
            Path out = tmp.resolve(devices[i]);
            Cli r = Cli.run("experiment", name, "--quick", "--device", devices[i], "--out", out.toString());
            assertEquals(0, r.code(), r.err());
            runs[i] = new ObjectMapper().readTree(out.resolve(name + ".json").toFile());
        }
        JsonNode cpu = runs[0];
        JsonNode cuda = runs[1];
        switch (name) {
            case "xor" -> {
                assertEquals(cpu.get("correct"), cuda.get("correct"));
                assertClose(cpu.get("loss_per_epoch"), cuda.get("loss_per_epoch"), 1e-3);
            }
            case "iris" -> {
                assertEquals(cpu.get("confusion_matrix"), cuda.get("confusion_matrix"));
                assertClose(cpu.get("loss_per_epoch"), cuda.get("loss_per_epoch"), 1e-3);
            }
            default -> {
                for (int r = 0; r < cpu.get("runs").size(); r++) {
                    assertClose(cpu.get("runs").get(r).get("xs"), cuda.get("runs").get(r).get("xs"), 1e-4);
                    assertClose(cpu.get("runs").get(r).get("ys"), cuda.get("runs").get(r).get("ys"), 1e-4);
                }
            }
        }
    }

    /** Every element within {@code tolerance}·(1 + |cpu|). */
    private static void assertClose(JsonNode cpu, JsonNode cuda, double tolerance) {
        assertEquals(cpu.size(), cuda.size());
        for (int i = 0; i < cpu.size(); i++) {
            double a = cpu.get(i).asDouble();
            double b = cuda.get(i).asDouble();
            assertTrue(Math.abs(a - b) <= tolerance * (1 + Math.abs(a)), "element " + i + ": cpu " + a + ", cuda " + b);
        }
    }
}
