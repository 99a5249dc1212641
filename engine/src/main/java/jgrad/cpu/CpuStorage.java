package jgrad.cpu;

import jgrad.device.Device;
import jgrad.device.Storage;

/** A host float array from the {@link CpuAllocator} pool. */
public final class CpuStorage implements Storage {
    private final CpuDevice device;
    private float[] data;

    CpuStorage(CpuDevice device, float[] data) {
        this.device = device;
        this.data = data;
    }

    /** The backing array; its length is exactly {@link #numel()}. */
    public float[] data() {
        if (data == null) {
            throw new IllegalStateException("storage used after close()");
        }
        return data;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public int numel() {
        return data().length;
    }

    @Override
    public void close() {
        if (data != null) {
            device.allocator().release(data);
            data = null;
        }
    }

    @Override
    public boolean isClosed() {
        return data == null;
    }
}
