package jgrad.cpu;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import jgrad.device.MemoryStats;

/**
 * Exact-size caching pool of float arrays. A training step asks for the same sizes every time, so
 * after the first step every request is a hit and the step allocates nothing on the Java heap
 * beyond small objects.
 */
final class CpuAllocator {
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private long allocated;
    private long reserved;
    private long peak;

    synchronized float[] take(int numel) {
        if (numel < 0) {
            throw new IllegalArgumentException("negative size: " + numel);
        }
        ArrayDeque<float[]> bucket = free.get(numel);
        float[] array = bucket == null ? null : bucket.pollFirst();
        if (array == null) {
            array = new float[numel];
            reserved += 4L * numel;
        }
        allocated += 4L * numel;
        peak = Math.max(peak, allocated);
        return array;
    }

    synchronized void release(float[] array) {
        allocated -= 4L * array.length;
        free.computeIfAbsent(array.length, k -> new ArrayDeque<>()).addFirst(array);
    }

    /** Drops cached arrays (the GC reclaims them), like torch.cuda.empty_cache(). */
    synchronized void emptyCache() {
        for (ArrayDeque<float[]> bucket : free.values()) {
            for (float[] a : bucket) {
                reserved -= 4L * a.length;
            }
        }
        free.clear();
    }

    synchronized MemoryStats stats() {
        return new MemoryStats(allocated, reserved, peak);
    }
}
