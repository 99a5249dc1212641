package jgrad.train;

import jgrad.cpu.CpuDevice;
import jgrad.device.Device;
import jgrad.device.DeviceOps;
import jgrad.device.MemoryStats;
import jgrad.device.Storage;

/**
 * Test fixture: the CPU device under another name. It is not {@link Device#synchronous()}, so the
 * trainer treats it like a GPU whose work is queued (fault flags read late); subclasses change how
 * memory is handed out.
 */
public class CpuBackedDevice implements Device {
    protected static final CpuDevice CPU = CpuDevice.get();
    private final String name;

    public CpuBackedDevice(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Storage allocate(int numel) {
        return CPU.allocate(numel);
    }

    @Override
    public void copyIn(float[] src, int srcOff, Storage dst, int dstOff, int count) {
        CPU.copyIn(src, srcOff, dst, dstOff, count);
    }

    @Override
    public void copyOut(Storage src, int srcOff, float[] dst, int dstOff, int count) {
        CPU.copyOut(src, srcOff, dst, dstOff, count);
    }

    @Override
    public DeviceOps ops() {
        return CPU.ops();
    }

    @Override
    public MemoryStats memoryStats() {
        return CPU.memoryStats();
    }
}
