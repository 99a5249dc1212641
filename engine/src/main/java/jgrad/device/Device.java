package jgrad.device;

/**
 * Where tensors live and ops run. A backend is this interface (allocation, transfers) plus its
 * {@link DeviceOps} (the primitive kernels). Models and optimizers only ever see this type.
 */
public interface Device {
    /** Short name as printed in reports, e.g. {@code cpu} or {@code cuda:0 NVIDIA H100}. */
    String name();

    /** Allocates {@code numel} uninitialised float32 elements from this device's pool. */
    Storage allocate(int numel);

    /** Copies {@code count} floats from host {@code src[srcOff..]} into {@code dst[dstOff..]}. */
    void copyIn(float[] src, int srcOff, Storage dst, int dstOff, int count);

    /** Copies {@code count} floats from {@code src[srcOff..]} into host {@code dst[dstOff..]}. */
    void copyOut(Storage src, int srcOff, float[] dst, int dstOff, int count);

    /** The primitive kernels of this device. */
    DeviceOps ops();

    /** Pool statistics, in bytes. */
    MemoryStats memoryStats();

    /** Blocks until queued work is done (no-op where ops run synchronously). */
    default void synchronize() {}

    /**
     * True when every op has finished by the time it returns (the CPU), so reading a result back
     * costs no wait for queued work; false where ops are queued (a GPU), so a read stalls the pipeline.
     */
    default boolean synchronous() {
        return false;
    }
}
