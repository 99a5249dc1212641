package jgrad.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import jgrad.cpu.CpuDevice;
import jgrad.device.DeviceOutOfMemoryException;
import jgrad.device.KernelChoice;
import jgrad.device.MemoryStats;
import jgrad.device.Storage;
import jgrad.train.EpochStats;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.TrainResult;
import jgrad.train.Trainer;
import org.junit.jupiter.api.Test;

/** Device memory over many epochs, and a real out-of-memory error, on a real GPU. */
@GpuTest
class CudaMemoryTest {
    private static final int EPOCHS = 6;

    private static TrainConfig config(int epochs) {
        return TrainConfig.builder().steps(0).epochs(epochs).batchSize(64).lr(0.002f).optimizer("adam")
                .activation("relu").init("he").hidden(256, 64).weightDecay(1e-4f).dropout(0.1f).batchNorm(true)
                .seed(7L).logEvery(100).build();
    }

    @Test
    void deviceMemoryIsFlatFromEpochToEpochAndReturnsToItsStartingLevel() {
        CudaDevice gpu = Parity.gpu(KernelChoice.OWN);
        // 10 steps per epoch on the simulator instead of 32: the pool's steady state is the same.
        TrainData data = CudaTrainingTest.clusters(Parity.size(2000, 640), 300, 6);
        gpu.synchronize();
        MemoryStats before = gpu.memoryStats();
        List<MemoryStats> perEpoch = new ArrayList<>();
        List<Long> mallocs = new ArrayList<>();
        Trainer.train(config(EPOCHS), gpu, data, new Trainer.Listener() {
            @Override
            public void onEpoch(EpochStats epoch, int totalEpochs) {
                gpu.synchronize();
                perEpoch.add(gpu.memoryStats());
                mallocs.add(gpu.deviceAllocations());
            }
        }).close();
        gpu.synchronize();
        assertEquals(EPOCHS, perEpoch.size());
        // After epoch 2 the pool has served every size the run asks for (training and evaluation).
        for (int e = 2; e < EPOCHS; e++) {
            String what = "epoch " + (e + 1) + ": " + perEpoch.get(e) + " vs epoch 2: " + perEpoch.get(1);
            assertEquals(perEpoch.get(1).allocated(), perEpoch.get(e).allocated(), "live bytes, " + what);
            assertEquals(perEpoch.get(1).reserved(), perEpoch.get(e).reserved(), "pooled bytes, " + what);
            assertEquals(mallocs.get(1), mallocs.get(e), "cuMemAlloc calls, " + what);
        }
        assertEquals(before.allocated(), gpu.memoryStats().allocated(),
                "after the run and closing its model: " + gpu.memoryStats() + " vs " + before);
    }

    @Test
    void outOfMemoryIsATypedErrorWithTheNumbersAndTheGpuAndTheCpuStillTrain() {
        TrainData data = CudaTrainingTest.clusters(Parity.size(2000, 640), 300, 7);
        try (CudaDevice gpu = CudaDevice.open(0, KernelChoice.OWN, false)) {
            List<Storage> hogs = new ArrayList<>();
            DeviceOutOfMemoryException oom;
            try {
                // 8 GiB at a time (the largest tensor an int element count allows) until the device is full.
                oom = assertThrows(DeviceOutOfMemoryException.class, () -> {
                    for (int i = 0; i < 64; i++) {
                        hogs.add(gpu.allocate(Integer.MAX_VALUE - 8));
                    }
                }, "64 allocations of 8 GiB all succeeded");
            } finally {
                hogs.forEach(Storage::close);
            }
            String m = oom.getMessage();
            assertTrue(m.startsWith("CUDA out of memory: tried to allocate 8.00 GiB; the pool holds ")
                    && m.contains(" free of ") && m.contains("Hint: lower --batch-size"), m);
            assertFalse(m.contains("\n"), m);
            assertEquals(4L * (Integer.MAX_VALUE - 8), oom.requestedBytes());
            assertEquals(hogs.size() * CudaAllocator.bucket(4L * (Integer.MAX_VALUE - 8)), oom.stats().allocated());
            assertEquals(0, gpu.memoryStats().allocated(), "every hog returned");

            // The 8 GiB blocks stay cached; training's small blocks fit beside them, and were the device too
            // full for those, the pool would free the cached blocks and retry.
            try (TrainResult r = Trainer.train(config(1), gpu, data, new Trainer.Listener() {})) {
                assertTrue(r.complete() && r.finalLoss() < r.lossHistory()[0], "gpu loss " + r.finalLoss());
            }
            gpu.emptyCache();
        }
        try (TrainResult r = Trainer.train(config(1), CpuDevice.get(), data, new Trainer.Listener() {})) {
            assertTrue(r.complete() && r.finalLoss() < r.lossHistory()[0], "cpu loss " + r.finalLoss());
        }
    }
}
