package jgrad.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import jcuda.CudaException;
import jcuda.driver.JCudaDriver;
import jgrad.device.DeviceOutOfMemoryException;
import jgrad.device.MemoryStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Size-bucketed caching pool of device memory, the scheme of PyTorch's caching allocator reduced
 * to its core: requests are rounded up to a bucket size and freed blocks wait in their bucket for
 * the next request of that size (no splitting or merging of blocks). cuMemAlloc/cuMemFree
 * synchronise the device, so after the first training step every request must be a cache hit:
 * that is what keeps the step free of them.
 *
 * <p>A block released while kernels that use it are still queued may be handed out at once: the
 * device has one stream, so every later use of the block is queued behind those kernels.
 *
 * <p>The device memory itself comes from a {@link Backing}: the driver in production, a fake in
 * the unit tests of the rounding and statistics.
 */
final class CudaAllocator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CudaAllocator.class);
    /** Small blocks round to 512 B (keeps 128-bit loads aligned and bounds waste at 511 B). */
    static final long SMALL_ROUND = 512;
    /** Up to 1 MiB the small rounding applies; above it, 2 MiB multiples: fewer distinct buckets. */
    static final long SMALL_LIMIT = 1L << 20;
    static final long LARGE_ROUND = 2L << 20;

    /** Where blocks come from. */
    interface Backing {
        /** A new block of {@code bytes}, or null when the device is out of memory. */
        DevicePointer malloc(long bytes);

        void free(DevicePointer p);

        /** {free, total} bytes on the device, for the out-of-memory message. */
        long[] memInfo();
    }

    /** One block from the backing; {@code bytes} is the rounded bucket size. */
    record Block(DevicePointer ptr, long bytes) {}

    private final Backing backing;
    private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
    private long allocated;
    private long reserved;
    private long peak;
    private long mallocs;

    CudaAllocator(Backing backing) {
        this.backing = backing;
    }

    /** The bucket a request of {@code bytes} is served from (0 bytes still take one small block). */
    static long bucket(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation size: " + bytes);
        }
        long b = Math.max(bytes, 1);
        long round = b <= SMALL_LIMIT ? SMALL_ROUND : LARGE_ROUND;
        return (b + round - 1) / round * round;
    }

    synchronized Block take(long bytes) {
        long size = bucket(bytes);
        ArrayDeque<Block> q = free.get(size);
        Block b = q == null ? null : q.pollFirst();
        if (b == null) {
            b = new Block(mallocOrRetry(bytes, size), size);
            reserved += size;
            mallocs++;
        }
        allocated += size;
        peak = Math.max(peak, allocated);
        return b;
    }

    private DevicePointer mallocOrRetry(long requested, long size) {
        DevicePointer p = backing.malloc(size);
        if (p != null) {
            return p;
        }
        LOG.warn("device allocation of {} failed; releasing {} of cached blocks and retrying", mib(size),
                mib(reserved - allocated));
        emptyCache();
        p = backing.malloc(size);
        if (p != null) {
            return p;
        }
        long[] info = backing.memInfo();
        MemoryStats stats = stats();
        throw new DeviceOutOfMemoryException(String.format("CUDA out of memory: tried to allocate %s; the pool holds "
                        + "%s in live tensors (%s reserved, peak %s); device has %s free of %s. Hint: lower --batch-size "
                        + "or the model size; cached blocks were already released and the allocation retried.",
                mib(requested), mib(stats.allocated()), mib(stats.reserved()), mib(stats.peak()), mib(info[0]),
                mib(info[1])), requested, stats);
    }

    synchronized void release(Block b) {
        allocated -= b.bytes();
        free.computeIfAbsent(b.bytes(), k -> new ArrayDeque<>()).addFirst(b);
    }

    /** Frees cached (not live) blocks back to the device, like torch.cuda.empty_cache(). */
    synchronized void emptyCache() {
        for (ArrayDeque<Block> q : free.values()) {
            for (Block b : q) {
                backing.free(b.ptr());
                reserved -= b.bytes();
            }
        }
        free.clear();
    }

    synchronized MemoryStats stats() {
        return new MemoryStats(allocated, reserved, peak);
    }

    /** Device allocations made so far (a warm training step adds none). */
    synchronized long mallocCount() {
        return mallocs;
    }

    /** Frees the cache; live blocks belong to storages and go with the context. */
    @Override
    public void close() {
        emptyCache();
    }

    /** Bytes for a message: MiB as PyTorch reports them, GiB from 1 GiB up, KiB below 1 MiB (so never "0.0 MiB"). */
    static String mib(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format("%.2f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20 || bytes == 0) {
            return String.format("%.1f MiB", bytes / (double) (1L << 20));
        }
        return String.format("%.1f KiB", bytes / 1024.0);
    }

    /** cuMemAlloc/cuMemFree on the current context (JCuda exceptions enabled by the probe). */
    static Backing driver() {
        return new Backing() {
            @Override
            public DevicePointer malloc(long bytes) {
                DevicePointer p = new DevicePointer();
                try {
                    JCudaDriver.cuMemAlloc(p, bytes);
                    return p;
                } catch (CudaException e) {
                    if (String.valueOf(e.getMessage()).contains("OUT_OF_MEMORY")) {
                        return null;
                    }
                    throw e;
                }
            }

            @Override
            public void free(DevicePointer p) {
                JCudaDriver.cuMemFree(p);
            }

            @Override
            public long[] memInfo() {
                long[] freeBytes = new long[1];
                long[] total = new long[1];
                try {
                    JCudaDriver.cuMemGetInfo(freeBytes, total);
                } catch (CudaException ignored) {
                    // the message then shows 0 B free of 0 B; the allocation failure is what matters
                }
                return new long[] {freeBytes[0], total[0]};
            }
        };
    }
}
