package jgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jgrad.cpu.CpuDevice;
import jgrad.device.MemoryStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host memory stays flat from epoch to epoch once the first epochs have warmed the pools: the CPU
 * tensor pool exactly (same live bytes, same reserved bytes), the Java heap and the JDK's direct and
 * mapped buffers within a small bound (measured after a full GC). Training runs with BatchNorm,
 * dropout, augmentation, Adam, per-epoch evaluation and a checkpoint (with its .prev) every epoch.
 */
class HostMemoryTest {
    private static final long MIB = 1L << 20;
    private static final int EPOCHS = 8;

    @TempDir
    Path tmp;

    /** One measurement, taken at the end of an epoch. */
    record Sample(int epoch, MemoryStats pool, long heap, long direct, long mapped) {
        static Sample now(int epoch) {
            for (int i = 0; i < 2; i++) {
                System.gc(); // a full collection with the JDK's collectors; twice so finalised buffers go too
            }
            Runtime rt = Runtime.getRuntime();
            return new Sample(epoch, CpuDevice.get().memoryStats(), rt.totalMemory() - rt.freeMemory(),
                    bufferPool("direct"), bufferPool("mapped"));
        }

        private static long bufferPool(String name) {
            return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(b -> b.getName().equals(name)).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
        }

        @Override
        public String toString() {
            return String.format("epoch %d: pool %.2f MiB live / %.2f MiB reserved, heap %.1f MiB, direct %.2f MiB,"
                            + " mapped %.2f MiB", epoch, pool.allocated() / (double) MIB, pool.reserved() / (double) MIB,
                    heap / (double) MIB, direct / (double) MIB, mapped / (double) MIB);
        }
    }

    @Test
    void hostMemoryDoesNotGrowAcrossEpochs() {
        TrainConfig cfg = ResumeTest.job("adam", EPOCHS, new int[] {256});
        List<Sample> samples = new ArrayList<>();
        try (TrainResult r = Trainer.train(cfg, CpuDevice.get(), ResumeTest.data(), new Trainer.Listener() {
            @Override
            public void onEpoch(EpochStats epoch, int totalEpochs) {
                samples.add(Sample.now(epoch.epoch()));
            }
        }, new RunOptions(tmp, null, 0, "{}"))) {
            assertEquals(EPOCHS, r.epochs().size());
        }
        samples.forEach(System.out::println);
        Sample base = samples.get(1); // after epoch 2: the pool has seen every size, checkpoints have a .prev
        List<Sample> later = samples.subList(2, samples.size());
        System.out.printf("growth after epoch 2, at most: heap %d B, direct %d B%n",
                later.stream().mapToLong(s -> s.heap() - base.heap()).max().orElseThrow(),
                later.stream().mapToLong(s -> s.direct() - base.direct()).max().orElseThrow());
        for (Sample s : later) {
            assertEquals(base.pool().allocated(), s.pool().allocated(), "live tensor bytes, " + s);
            assertEquals(base.pool().reserved(), s.pool().reserved(), "pooled bytes, " + s);
            assertTrue(s.heap() - base.heap() < 4 * MIB, "heap grew: " + base + " -> " + s);
            assertTrue(s.direct() - base.direct() < MIB, "direct buffers grew: " + base + " -> " + s);
            assertTrue(s.mapped() - base.mapped() <= 0, "mapped buffers grew: " + base + " -> " + s);
        }
    }
}
