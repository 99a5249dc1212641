package jgrad.device;

/**
 * Allocator statistics in bytes, as PyTorch's memory_allocated / memory_reserved / max_memory_allocated.
 *
 * @param allocated bytes in live storages
 * @param reserved  bytes held by the pool (live plus cached for reuse)
 * @param peak      highest {@code allocated} seen
 */
public record MemoryStats(long allocated, long reserved, long peak) {}
