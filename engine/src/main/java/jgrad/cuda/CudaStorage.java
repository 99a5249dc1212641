package jgrad.cuda;

import jgrad.device.Device;
import jgrad.device.Storage;

/** A block of device memory from the {@link CudaAllocator} pool, holding {@code numel} floats. */
public final class CudaStorage implements Storage {
    private final CudaDevice device;
    private final int numel;
    private CudaAllocator.Block block;

    CudaStorage(CudaDevice device, CudaAllocator.Block block, int numel) {
        this.device = device;
        this.block = block;
        this.numel = numel;
    }

    DevicePointer pointer() {
        if (block == null) {
            throw new IllegalStateException("storage used after close()");
        }
        return block.ptr();
    }

    /** Device address of element 0, for kernel arguments. */
    long address() {
        return pointer().address();
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public int numel() {
        return numel;
    }

    @Override
    public void close() {
        if (block != null) {
            device.allocator().release(block);
            block = null;
        }
    }

    @Override
    public boolean isClosed() {
        return block == null;
    }
}
