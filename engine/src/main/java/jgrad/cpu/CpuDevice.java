package jgrad.cpu;

import jgrad.device.Device;
import jgrad.device.DeviceOps;
import jgrad.device.MemoryStats;
import jgrad.device.Storage;

/** The always-present host device; its ops are the reference every other backend is tested against. */
public final class CpuDevice implements Device {
    private static final CpuDevice INSTANCE = new CpuDevice();

    private final CpuAllocator allocator = new CpuAllocator();
    private final CpuOps ops = new CpuOps(allocator);

    private CpuDevice() {}

    public static CpuDevice get() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Storage allocate(int numel) {
        return new CpuStorage(this, allocator.take(numel));
    }

    @Override
    public void copyIn(float[] src, int srcOff, Storage dst, int dstOff, int count) {
        System.arraycopy(src, srcOff, CpuOps.data(dst), dstOff, count);
    }

    @Override
    public void copyOut(Storage src, int srcOff, float[] dst, int dstOff, int count) {
        System.arraycopy(CpuOps.data(src), srcOff, dst, dstOff, count);
    }

    @Override
    public boolean synchronous() {
        return true;
    }

    @Override
    public DeviceOps ops() {
        return ops;
    }

    @Override
    public MemoryStats memoryStats() {
        return allocator.stats();
    }

    /** Frees cached pool arrays. */
    public void emptyCache() {
        allocator.emptyCache();
    }

    CpuAllocator allocator() {
        return allocator;
    }

    @Override
    public String toString() {
        return name();
    }
}
