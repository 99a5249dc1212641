package jgrad.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;

/**
 * Host-device transfers through page-locked (cuMemAllocHost) staging memory, so copies are real
 * DMA transfers queued on the device's stream. The staging memory is a ring of slots, each with
 * an event recorded after the copy that used it: an upload returns as soon as its data sits in a
 * slot, and only reusing a slot whose copy is still queued waits (for that copy alone). The
 * per-step index upload of the trainer therefore never waits for the step before it; a download
 * waits for its own copy, which is the one host sync a caller reading results asks for.
 */
final class PinnedStaging implements AutoCloseable {
    static final int SLOTS = 4;
    static final int SLOT_FLOATS = 1 << 18;  // 1 MiB per slot
    private static final long SLOT_BYTES = 4L * SLOT_FLOATS;

    private final CUstream stream;
    private final Pointer host = new Pointer();
    private final FloatBuffer view;
    private final CUevent[] done = new CUevent[SLOTS];
    private final boolean[] pending = new boolean[SLOTS];
    private int next;
    private boolean closed;

    PinnedStaging(CUstream stream) {
        this.stream = stream;
        cuMemAllocHost(host, SLOTS * SLOT_BYTES);
        this.view = host.getByteBuffer(0, SLOTS * SLOT_BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < SLOTS; i++) {
            done[i] = new CUevent();
            cuEventCreate(done[i], CUevent_flags.CU_EVENT_DISABLE_TIMING);
        }
    }

    /** The next slot, once the copy that last used it has finished. */
    private int slot() {
        int s = next;
        next = (next + 1) % SLOTS;
        if (pending[s]) {
            cuEventSynchronize(done[s]);
            pending[s] = false;
        }
        return s;
    }

    /** Queues the upload of src[srcOff..srcOff+count) to dst + dstByteOff; returns without waiting. */
    void copyIn(float[] src, int srcOff, CUdeviceptr dst, long dstByteOff, int count) {
        for (int copied = 0; copied < count; ) {
            int len = Math.min(SLOT_FLOATS, count - copied);
            int s = slot();
            view.put(s * SLOT_FLOATS, src, srcOff + copied, len);
            cuMemcpyHtoDAsync(dst.withByteOffset(dstByteOff + 4L * copied), host.withByteOffset(s * SLOT_BYTES),
                    4L * len, stream);
            cuEventRecord(done[s], stream);
            pending[s] = true;
            copied += len;
        }
    }

    /** Copies src + srcByteOff into dst[dstOff..dstOff+count), after all queued work; blocks. */
    void copyOut(CUdeviceptr src, long srcByteOff, float[] dst, int dstOff, int count) {
        for (int copied = 0; copied < count; ) {
            int len = Math.min(SLOT_FLOATS, count - copied);
            int s = slot();
            cuMemcpyDtoHAsync(host.withByteOffset(s * SLOT_BYTES), src.withByteOffset(srcByteOff + 4L * copied),
                    4L * len, stream);
            cuEventRecord(done[s], stream);
            cuEventSynchronize(done[s]);
            view.get(s * SLOT_FLOATS, dst, dstOff + copied, len);
            copied += len;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < SLOTS; i++) {
            if (pending[i]) {
                cuEventSynchronize(done[i]);
            }
            cuEventDestroy(done[i]);
        }
        cuMemFreeHost(host);
    }
}
