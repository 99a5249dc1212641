package jgrad.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Iterator;
import java.util.Map;
import jgrad.cuda.CudaDevice;
import jgrad.cuda.CudaProbe;
import jgrad.device.KernelChoice;
import jgrad.train.StepBench;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.Trainer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shape of one training step on the CUDA device, read from the simulator's counters: what a
 * profiler would show on a GPU. The difference between a run of 2·S and one of S steps (neither
 * reaching an epoch's end, so no evaluation in between) is S steady-state steps.
 */
@Tag("gpu")
class StepShapeTest {
    /** The simulator's query functions, in the libcuda.so.1 that JCuda already loaded. */
    public interface SimQuery extends Library {
        String jgsim_counters_json();

        void jgsim_counters_reset();
    }

    private static final int S = 4;

    @BeforeAll
    static void simulator() {
        CudaProbe.Result probe = CudaProbe.probe();
        Assumptions.assumeTrue(probe.simulated(), "needs the jgrad CUDA simulator: " + probe.summary());
    }

    private static JsonNode countersOf(SimQuery sim, CudaDevice gpu, TrainConfig cfg, TrainData data)
            throws Exception {
        gpu.synchronize();
        sim.jgsim_counters_reset();
        Trainer.train(cfg, gpu, data, new Trainer.Listener() {}).close();
        gpu.synchronize();
        return new ObjectMapper().readTree(sim.jgsim_counters_json());
    }

    /**
     * The seed's MLP (784-100-10, sigmoid, SGD): per step exactly 5 GEMMs (two forward, two weight
     * gradients, one input gradient: none for the images), no device allocation (the pool serves
     * every block), at most one host synchronisation (the loss read-back), and only the batch's
     * indices and labels uploaded, never the images (the data set lives on the device).
     */
    @ParameterizedTest
    @EnumSource(names = {"OWN", "VENDOR"})
    void anMlpStepIsFiveGemmsNoAllocationAndOneSync(KernelChoice kernels) throws Exception {
        SimQuery sim = Native.load("libcuda.so.1", SimQuery.class);
        TrainData data = StepBench.syntheticMnist(4000, 11);
        TrainConfig base = TrainConfig.seedDefaults();
        try (CudaDevice gpu = CudaDevice.open(0, kernels, false)) {
            countersOf(sim, gpu, base.inStepsMode(S, 100, S), data);  // warms the pool
            JsonNode one = countersOf(sim, gpu, base.inStepsMode(S, 100, S), data);
            JsonNode two = countersOf(sim, gpu, base.inStepsMode(2 * S, 100, 2 * S), data);
            String what = "--kernels " + kernels + ": " + two;
            Map<String, Double> launches = perStep(one.get("launches"), two.get("launches"));
            Map<String, Double> library = perStep(one.get("library_calls"), two.get("library_calls"));
            for (Map.Entry<String, Double> e : launches.entrySet()) {
                assertEquals(Math.rint(e.getValue()), e.getValue(), 0, e.getKey() + " launches per step, " + what);
            }
            double gemms = kernels == KernelChoice.OWN ? launches.getOrDefault("sgemm_tiled", 0.0)
                    : library.getOrDefault("cublasSgemm", 0.0);
            assertEquals(5, gemms, 0, "GEMMs per step, " + what);
            assertEquals(0, perStep(one, two, "allocations"), 0, "cuMemAlloc per step, " + what);
            assertTrue(perStep(one, two, "host_syncs") <= 1, "host synchronisations per step, " + what);
            double upload = perStep(one, two, "bytes_htod");
            assertTrue(upload < 100 * 784 * 4 / 10, "bytes uploaded per step " + upload + ": images are not, " + what);
        }
    }

    private static double perStep(JsonNode one, JsonNode two, String field) {
        return (two.get(field).asDouble() - one.get(field).asDouble()) / S;
    }

    private static Map<String, Double> perStep(JsonNode one, JsonNode two) {
        Map<String, Double> out = new java.util.TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = two.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), (e.getValue().asDouble() - one.path(e.getKey()).asDouble(0)) / S);
        }
        return out;
    }
}
