package jgrad.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jgrad.cpu.CpuDevice;
import jgrad.device.Devices;
import jgrad.device.KernelChoice;
import jgrad.device.MemoryStats;
import jgrad.device.Storage;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.TrainResult;
import jgrad.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Whole training runs, the allocator and device selection on a real GPU. */
@GpuTest
class CudaTrainingTest {
    /**
     * A learnable synthetic task: 8 classes, each a Gaussian cluster around its own random centre
     * in 32 dimensions (noise 1, centres N(0, 1) per dimension: well separated but not trivially).
     */
    static TrainData clusters(int train, int test, long seed) {
        return jgrad.train.SyntheticClusters.of(32, 8, 1, train, test, seed);
    }

    static TrainConfig config(String optimizer, float lr, int steps, boolean batchNorm, float dropout) {
        return TrainConfig.builder().steps(steps).batchSize(64).lr(lr).optimizer(optimizer).activation("relu")
                .init("he").hidden(64, 32).weightDecay(1e-4f).dropout(dropout).batchNorm(batchNorm).seed(7L)
                .logEvery(100).build();
    }

    @ParameterizedTest
    @EnumSource(names = {"OWN", "VENDOR"})
    void mlpTrainsToTheSameAccuracyBandAsTheCpu(KernelChoice kernels) {
        CudaDevice gpu = Parity.gpu(kernels);
        TrainData data = clusters(4000, 1000, 5);
        int steps = Parity.size(600, 200);  // the simulator runs the own GEMM instruction by instruction
        for (TrainConfig cfg : new TrainConfig[] {config("sgd", 0.05f, steps, false, 0f),
                config("adam", 0.002f, steps, true, 0.1f)}) {
            try (TrainResult cpu = Trainer.train(cfg, CpuDevice.get(), data, new Trainer.Listener() {});
                 TrainResult cuda = Trainer.train(cfg, gpu, data, new Trainer.Listener() {})) {
                String what = cfg.optimizer() + (cfg.batchNorm() ? "+bn+dropout" : "") + " on " + gpu.providers();
                assertTrue(cpu.testAccuracy() >= 0.9, "cpu reference accuracy " + cpu.testAccuracy());
                assertTrue(Math.abs(cuda.testAccuracy() - cpu.testAccuracy()) <= 0.02,
                        what + ": cuda " + cuda.testAccuracy() + " vs cpu " + cpu.testAccuracy());
                assertEquals(gpu.name(), cuda.device());
                // Same data, same initial weights, same dropout masks: the first losses agree closely
                // (only GEMM summation order differs); later ones drift apart as rounding compounds.
                for (int step = 0; step < 5; step++) {
                    float want = cpu.lossHistory()[step];
                    float got = cuda.lossHistory()[step];
                    assertTrue(Math.abs(got - want) <= 1e-3 * Math.abs(want) + 1e-5,
                            what + " loss at step " + (step + 1) + ": cuda " + got + " vs cpu " + want);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"OWN", "VENDOR"})
    void deviceMemoryReturnsToItsStartingLevelAndAWarmRunAllocatesNothing(KernelChoice kernels) {
        CudaDevice gpu = Parity.gpu(kernels);
        TrainData data = clusters(1000, 300, 6);
        TrainConfig cfg = config("adam", 0.002f, 50, true, 0.1f);
        gpu.synchronize();
        MemoryStats before = gpu.memoryStats();
        Trainer.train(cfg, gpu, data, new Trainer.Listener() {}).close();
        gpu.synchronize();
        assertEquals(before.allocated(), gpu.memoryStats().allocated(),
                "allocated bytes after a training run and closing its model: " + gpu.memoryStats() + " vs " + before);
        long mallocs = gpu.deviceAllocations();
        Trainer.train(cfg, gpu, data, new Trainer.Listener() {}).close();
        assertEquals(mallocs, gpu.deviceAllocations(), "a warm run is served from the pool (no cuMemAlloc)");
        assertEquals(before.allocated(), gpu.memoryStats().allocated());
        assertTrue(gpu.memoryStats().peak() > before.allocated(), "peak recorded: " + gpu.memoryStats());
    }

    @Test
    void transfersRoundTripAcrossStagingSlotsAndOffsets() {
        CudaDevice gpu = Parity.gpu(KernelChoice.OWN);
        int n = 3 * PinnedStaging.SLOT_FLOATS + 17;  // more than the ring holds: slots are reused
        float[] host = Parity.uniform(new SplittableRandom(9), n, -1, 1);
        try (Storage s = gpu.allocate(n + 10)) {
            gpu.ops().fill(s, -7f, n + 10);
            gpu.copyIn(host, 5, s, 10, n - 5);
            float[] back = new float[n + 10];
            gpu.copyOut(s, 0, back, 0, n + 10);
            for (int i = 0; i < 10; i++) {
                assertEquals(-7f, back[i], "untouched prefix [" + i + "]");
            }
            assertArrayEquals(java.util.Arrays.copyOfRange(host, 5, n), java.util.Arrays.copyOfRange(back, 10, n + 5));
            for (int round = 0; round < 20; round++) {  // many small uploads in a row, as the trainer does
                float[] small = {round, round + 0.5f};
                gpu.copyIn(small, 0, s, 2 * round, 2);
            }
            float[] smalls = new float[40];
            gpu.copyOut(s, 0, smalls, 0, 40);
            for (int round = 0; round < 20; round++) {
                assertEquals(round, smalls[2 * round]);
                assertEquals(round + 0.5f, smalls[2 * round + 1]);
            }
            assertThrows(IllegalArgumentException.class, () -> gpu.copyIn(host, 0, s, 20, n));
            assertThrows(IllegalArgumentException.class, () -> gpu.copyOut(s, -1, host, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> gpu.ops().fill(s, 0f, n + 11));
            try (Storage cpu = CpuDevice.get().allocate(4)) {
                assertThrows(IllegalArgumentException.class, () -> gpu.ops().fill(cpu, 0f, 4));
            }
        }
    }

    @Test
    void selectionOpensTheGpuAndNamesIt() {
        Devices.Selection auto = Devices.select("auto");
        if (CudaProbe.probe().simulated()) {
            // The simulator proves the CUDA path correct, not fast: auto keeps to the CPU and says why.
            assertInstanceOf(CpuDevice.class, auto.device());
            assertTrue(auto.fallbackReason().contains("jgrad CUDA simulator"), auto.fallbackReason());
        } else {
            assertInstanceOf(CudaDevice.class, auto.device());
            assertNull(auto.fallbackReason());
            assertTrue(auto.device().name().matches("cuda:0 .+"), auto.device().name());
            ((CudaDevice) auto.device()).close();
        }
        int count = CudaProbe.probe().deviceCount();
        Devices.DeviceUnavailableException e = assertThrows(Devices.DeviceUnavailableException.class,
                () -> Devices.select("cuda:" + count));
        assertTrue(e.getMessage().contains("out of range") && e.getMessage().contains(count + " CUDA device(s)"),
                e.getMessage());
        try (CudaDevice own = (CudaDevice) Devices.select("cuda:0", KernelChoice.OWN, false).device()) {
            assertEquals("gemm own sgemm, conv/pool/batch-norm own kernels, other ops own kernels", own.providers());
        }
    }
}
