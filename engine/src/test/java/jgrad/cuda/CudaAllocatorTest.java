package jgrad.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import java.util.ArrayList;
import java.util.List;
import jgrad.CapturedLog;
import jgrad.device.DeviceOutOfMemoryException;
import jgrad.device.MemoryStats;
import org.junit.jupiter.api.Test;

/** The pool's rounding, reuse, statistics and out-of-memory handling, on a fake device memory. */
class CudaAllocatorTest {
    private static final long MIB = 1L << 20;

    /** Device memory of a fixed capacity; counts calls, hands out distinct pointer objects. */
    static final class FakeBacking implements CudaAllocator.Backing {
        final long capacity;
        long used;
        int mallocs;
        final List<DevicePointer> freed = new ArrayList<>();
        final java.util.Map<DevicePointer, Long> sizes = new java.util.IdentityHashMap<>();

        FakeBacking(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public DevicePointer malloc(long bytes) {
            if (used + bytes > capacity) {
                return null;
            }
            used += bytes;
            mallocs++;
            DevicePointer p = new DevicePointer();
            sizes.put(p, bytes);
            return p;
        }

        @Override
        public void free(DevicePointer p) {
            used -= sizes.remove(p);
            freed.add(p);
        }

        @Override
        public long[] memInfo() {
            return new long[] {capacity - used, capacity};
        }
    }

    @Test
    void roundsSmallRequestsTo512BytesAndLargeOnesTo2MiB() {
        assertEquals(512, CudaAllocator.bucket(0), "an empty tensor still gets a valid block");
        assertEquals(512, CudaAllocator.bucket(1));
        assertEquals(512, CudaAllocator.bucket(512));
        assertEquals(1024, CudaAllocator.bucket(513));
        assertEquals(MIB, CudaAllocator.bucket(MIB), "1 MiB is still small");
        assertEquals(2 * MIB, CudaAllocator.bucket(MIB + 1));
        assertEquals(2 * MIB, CudaAllocator.bucket(2 * MIB));
        assertEquals(6 * MIB, CudaAllocator.bucket(5 * MIB + 3));
        assertThrows(IllegalArgumentException.class, () -> CudaAllocator.bucket(-1));
    }

    @Test
    void releasedBlocksAreReusedForTheSameBucketWithoutNewDeviceAllocations() {
        FakeBacking mem = new FakeBacking(64 * MIB);
        CudaAllocator pool = new CudaAllocator(mem);
        CudaAllocator.Block a = pool.take(1000);
        CudaAllocator.Block b = pool.take(1000);
        assertNotSame(a.ptr(), b.ptr());
        assertEquals(1024, a.bytes());
        assertEquals(2, mem.mallocs);
        pool.release(a);
        CudaAllocator.Block c = pool.take(600);  // same 1024-byte bucket
        assertSame(a.ptr(), c.ptr(), "the cached block is handed out again");
        assertEquals(2, mem.mallocs, "no device allocation for a cache hit");
        assertEquals(2, pool.mallocCount());
        CudaAllocator.Block d = pool.take(3000);  // another bucket: a new allocation
        assertEquals(3072, d.bytes());
        assertEquals(3, mem.mallocs);
    }

    @Test
    void statsTrackAllocatedReservedAndPeakAndReturnToTheStartingLevel() {
        CudaAllocator pool = new CudaAllocator(new FakeBacking(64 * MIB));
        assertEquals(new MemoryStats(0, 0, 0), pool.stats());
        CudaAllocator.Block a = pool.take(100);           // 512
        CudaAllocator.Block b = pool.take(3 * MIB);       // 4 MiB
        assertEquals(new MemoryStats(512 + 4 * MIB, 512 + 4 * MIB, 512 + 4 * MIB), pool.stats());
        pool.release(b);
        assertEquals(new MemoryStats(512, 512 + 4 * MIB, 512 + 4 * MIB), pool.stats(), "released blocks stay reserved");
        CudaAllocator.Block c = pool.take(200);
        pool.release(c);
        pool.release(a);
        assertEquals(0, pool.stats().allocated(), "every block returned");
        assertEquals(4 * MIB + 1024, pool.stats().reserved());
        assertEquals(4 * MIB + 512, pool.stats().peak(), "peak: 512 + 4 MiB live at once; 512 + 512 later is lower");
        pool.emptyCache();
        assertEquals(new MemoryStats(0, 0, 4 * MIB + 512), pool.stats(), "emptyCache frees everything cached");
    }

    @Test
    void outOfMemoryFirstEmptiesTheCacheThenRetries() {
        FakeBacking mem = new FakeBacking(8 * MIB);
        CudaAllocator pool = new CudaAllocator(mem);
        CudaAllocator.Block a = pool.take(6 * MIB);
        pool.release(a);  // cached: 6 MiB still held on the device
        CudaAllocator.Block b;
        try (CapturedLog log = CapturedLog.of(CudaAllocator.class, Level.WARN)) {
            b = pool.take(4 * MIB);  // needs the cached 6 MiB back first
            assertEquals(List.of("device allocation of 4.0 MiB failed; releasing 6.0 MiB of cached blocks and retrying"),
                    log.messages(Level.WARN));
        }
        assertEquals(4 * MIB, b.bytes());
        assertEquals(List.of(a.ptr()), mem.freed, "the cached block was freed to make room");
        assertEquals(new MemoryStats(4 * MIB, 4 * MIB, 6 * MIB), pool.stats());
    }

    @Test
    void outOfMemoryAfterTheRetryIsATypedErrorWithTheNumbers() {
        FakeBacking mem = new FakeBacking(8 * MIB);
        CudaAllocator pool = new CudaAllocator(mem);
        pool.take(6 * MIB);
        DeviceOutOfMemoryException e;
        try (CapturedLog log = CapturedLog.of(CudaAllocator.class, Level.WARN)) {
            e = assertThrows(DeviceOutOfMemoryException.class, () -> pool.take(3 * MIB));
            // 3 MiB is a 4 MiB block; nothing cached to give back, and the retry fails too
            assertEquals(List.of("device allocation of 4.0 MiB failed; releasing 0.0 MiB of cached blocks and retrying"),
                    log.messages(Level.WARN));
        }
        assertEquals(3 * MIB, e.requestedBytes());
        assertEquals(6 * MIB, e.stats().allocated());
        assertTrue(e.getMessage().contains("tried to allocate 3.0 MiB") && e.getMessage().contains("2.0 MiB free of 8.0 MiB"),
                e.getMessage());
        assertEquals(6 * MIB, pool.stats().allocated(), "a failed request changes no statistics");
    }
}
