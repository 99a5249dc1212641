package jgrad.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import jgrad.CapturedLog;
import jgrad.cpu.CpuDevice;
import jgrad.device.DeviceOutOfMemoryException;
import jgrad.device.MemoryStats;
import jgrad.device.Storage;
import jgrad.train.CpuBackedDevice;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.TrainResult;
import jgrad.train.Trainer;
import org.junit.jupiter.api.Test;

/**
 * Running out of device memory in the middle of training, without a GPU: a stand-in device whose
 * memory is accounted for by the real {@link CudaAllocator} over a fake device memory of fixed size
 * (its tensors are CPU arrays). The run must fail with the typed, one-line error, give every block
 * back, and leave both that device and the CPU able to train.
 */
class OutOfMemoryRecoveryTest {
    private static final CpuDevice CPU = CpuDevice.get();

    /** CPU storages, each backed by a block of a {@link CudaAllocator} over {@code capacity} bytes. */
    static final class SmallDevice extends CpuBackedDevice {
        final CudaAllocator pool;
        private final Map<Storage, CudaAllocator.Block> live = new IdentityHashMap<>();

        SmallDevice(long capacity) {
            super("small");
            pool = new CudaAllocator(new CudaAllocatorTest.FakeBacking(capacity));
        }

        @Override
        public Storage allocate(int numel) {
            returnClosed();
            CudaAllocator.Block block = pool.take(4L * numel); // may throw DeviceOutOfMemoryException
            Storage s = CPU.allocate(numel);
            live.put(s, block);
            return s;
        }

        /** Storages have no close hook here, so closed ones give their block back on the next call. */
        private void returnClosed() {
            for (Iterator<Map.Entry<Storage, CudaAllocator.Block>> it = live.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Storage, CudaAllocator.Block> e = it.next();
                if (e.getKey().isClosed()) {
                    pool.release(e.getValue());
                    it.remove();
                }
            }
        }

        @Override
        public MemoryStats memoryStats() {
            returnClosed();
            return pool.stats();
        }
    }

    private static TrainConfig config() {
        return TrainConfig.builder().steps(30).batchSize(64).lr(0.002f).optimizer("adam").activation("relu").init("he")
                .hidden(256, 64).weightDecay(1e-4f).dropout(0.1f).batchNorm(true).seed(7L).logEvery(10).build();
    }

    @Test
    void runningOutMidTrainingIsATypedErrorAndTheCpuAndTheDeviceTrainAfterwards() {
        TrainData data = CudaTrainingTest.clusters(2000, 300, 5);
        long cpuBefore = CPU.memoryStats().allocated();
        // Measure the peak of the first training step on a device with room to spare, then give the run
        // one byte less: it fails inside that step, with the model, optimizer state and data in place.
        SmallDevice roomy = new SmallDevice(1L << 30);
        long[] stepPeak = {0};
        Trainer.train(config(), roomy, data, new Trainer.Listener() {
            @Override
            public void onStep(int step) {
                if (step == 1) {
                    stepPeak[0] = roomy.memoryStats().peak();
                }
            }
        }).close();
        long peak = stepPeak[0];
        assertEquals(0, roomy.memoryStats().allocated(), "a finished run gives every block back");

        SmallDevice small = new SmallDevice(peak - 1);
        int[] stepsDone = {-1};
        DeviceOutOfMemoryException e;
        try (CapturedLog log = CapturedLog.of(CudaAllocator.class, Level.WARN)) {
            e = assertThrows(DeviceOutOfMemoryException.class,
                    () -> Trainer.train(config(), small, data, new Trainer.Listener() {
                        @Override
                        public void onStep(int step) {
                            stepsDone[0] = step;
                        }
                    }));
            List<String> warned = log.messages(Level.WARN);
            assertFalse(warned.isEmpty(), "the allocator says it empties its cache before giving up");
            warned.forEach(w -> assertTrue(w.matches("device allocation of .* failed; releasing .* of cached blocks and "
                    + "retrying"), w));
        }
        String m = e.getMessage();
        assertTrue(m.startsWith("CUDA out of memory: tried to allocate ") && m.contains("MiB in live tensors")
                && m.contains("free of ") && m.contains("Hint: lower --batch-size"), m);
        assertFalse(m.contains("\n"), m);
        assertTrue(e.requestedBytes() > 0 && e.stats().allocated() > 0, e.stats().toString());
        assertEquals(0, stepsDone[0], "it failed inside the first step");
        assertEquals(0, small.memoryStats().allocated(), "the failed run gave every block back: " + small.pool.stats());
        assertEquals(cpuBefore, CPU.memoryStats().allocated(), "and every host array");

        // The process carries on: on the CPU, and on the same device once the job fits.
        try (TrainResult cpu = Trainer.train(config(), CPU, data, new Trainer.Listener() {})) {
            assertTrue(cpu.complete() && cpu.finalLoss() < cpu.lossHistory()[0],
                    "cpu run: loss " + cpu.lossHistory()[0] + " -> " + cpu.finalLoss());
        }
        TrainConfig smaller = TrainConfig.builder().steps(30).batchSize(16).lr(0.002f).optimizer("adam")
                .activation("relu").init("he").hidden(128, 64).weightDecay(1e-4f).dropout(0.1f).batchNorm(true)
                .seed(7L).logEvery(10).build();
        try (CapturedLog log = CapturedLog.of(CudaAllocator.class, Level.WARN);
             TrainResult again = Trainer.train(smaller, small, data, new Trainer.Listener() {})) {
            assertTrue(again.complete(), "a smaller job fits on the device that ran out");
            // It fits after the allocator gives its cache back, which it may say.
            log.messages(Level.WARN).forEach(w -> assertTrue(w.matches("device allocation of .* failed; releasing .* of "
                    + "cached blocks and retrying"), w));
        }
        assertEquals(cpuBefore, CPU.memoryStats().allocated());
        System.out.printf("out-of-memory recovery: failed after %d steps (peak %d B, capacity %d B): %s%n",
                stepsDone[0], peak, peak - 1, m);
    }
}
