package jgrad.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jgrad.device.Device;
import jgrad.device.DeviceOps;
import jgrad.device.Devices.DeviceUnavailableException;
import jgrad.device.KernelChoice;
import jgrad.device.MemoryStats;
import jgrad.device.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CUDA GPU: its primary context, one stream every op is queued on, the caching allocator,
 * pinned staging memory for transfers, the own PTX kernels and, where they load, cuBLAS and cuDNN
 * handles bound to the same stream. Ops return once queued; only copyOut and synchronize wait.
 *
 * <p>The driver binds a context to a thread, so every entry point makes this device's context
 * current on the calling thread first ({@link #bind()}: a thread-local compare after the first
 * call).
 */
public final class CudaDevice implements Device, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CudaDevice.class);
    /** The context each thread last made current through any CudaDevice. */
    private static final ThreadLocal<CUcontext> CURRENT = new ThreadLocal<>();

    private final int ordinal;
    private final String name;
    private final CUdevice cuDevice = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final CudaAllocator allocator;
    private final PinnedStaging staging;
    private final CudaKernels kernels;
    private final Cublas cublas;
    private final Cudnn cudnn;
    private final CudaOps ops;
    private final String providers;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private boolean closed;

    /**
     * Opens GPU {@code ordinal}. {@code kernels} picks the providers (see {@link KernelChoice});
     * {@code tf32} lets cuBLAS and cuDNN use TF32 tensor cores (the own kernels are always FP32).
     *
     * @throws DeviceUnavailableException with the specific reason when the GPU or a required
     *                                    vendor library cannot be used
     */
    public static CudaDevice open(int ordinal, KernelChoice kernels, boolean tf32) {
        return open(ordinal, kernels, tf32, false);
    }

    /**
     * {@code deterministic}: only run-to-run reproducible algorithms (see {@link CudnnConv}); the own
     * kernels and cuBLAS on the device's one stream are reproducible anyway (kernels/README.md).
     */
    public static CudaDevice open(int ordinal, KernelChoice kernels, boolean tf32, boolean deterministic) {
        CudaProbe.Result probe = CudaProbe.probe();
        if (!probe.usable()) {
            throw new DeviceUnavailableException(probe.driver().reason());
        }
        if (ordinal < 0 || ordinal >= probe.deviceCount()) {
            throw new DeviceUnavailableException("cuda:" + ordinal + " is out of range: " + probe.deviceCount()
                    + " CUDA device(s) visible (cuda:0 .. cuda:" + (probe.deviceCount() - 1) + ")");
        }
        if (kernels == KernelChoice.VENDOR) {
            if (!probe.cublas().available()) {
                throw new DeviceUnavailableException("--kernels vendor needs cuBLAS: " + probe.cublas().reason());
            }
            if (!probe.cudnn().available()) {
                throw new DeviceUnavailableException("--kernels vendor needs cuDNN: " + probe.cudnn().reason());
            }
        }
        try {
            return new CudaDevice(ordinal, kernels, tf32, deterministic, probe);
        } catch (DeviceUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DeviceUnavailableException("cuda:" + ordinal + " could not be opened: "
                    + CudaProbe.describe(e));
        }
    }

    private CudaDevice(int ordinal, KernelChoice choice, boolean tf32, boolean deterministic, CudaProbe.Result probe) {
        this.ordinal = ordinal;
        try {
            cuDeviceGet(cuDevice, ordinal);
            byte[] buf = new byte[256];
            cuDeviceGetName(buf, buf.length, cuDevice);
            this.name = "cuda:" + ordinal + " " + cString(buf);
            // The primary context is the one the runtime API (cuBLAS, cuDNN) uses too.
            cuDevicePrimaryCtxRetain(context, cuDevice);
            resources.push(() -> cuDevicePrimaryCtxRelease(cuDevice));
            bind();
            // A blocking stream: anything a library queues on the legacy default stream stays ordered with it.
            cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT);
            resources.push(() -> cuStreamDestroy(stream));
            this.allocator = new CudaAllocator(CudaAllocator.driver());
            resources.push(allocator);
            this.staging = new PinnedStaging(stream);
            resources.push(staging);
            this.kernels = new CudaKernels(stream);
            resources.push(kernels);
            this.cublas = choice == KernelChoice.OWN ? null : vendor("cuBLAS", probe.cublas(), choice,
                    () -> new Cublas(stream, tf32), "GEMM runs on the own sgemm kernel");
            if (cublas != null) {
                resources.push(cublas);
            }
            Cudnn dnn = choice == KernelChoice.OWN ? null : vendor("cuDNN", probe.cudnn(), choice,
                    () -> new Cudnn(stream), CUDNN_CONSEQUENCE);
            if (dnn != null) {
                resources.push(dnn);
            }
            CudaOps withCudnn = opsWith(dnn, tf32, deterministic);
            String broken = dnn == null ? null : CudnnPartsCheck.firstFailure(this, withCudnn);
            if (broken != null) {
                if (choice == KernelChoice.VENDOR) {
                    throw new DeviceUnavailableException("--kernels vendor needs cuDNN: " + broken);
                }
                LOG.info("cuDNN not used ({}); {}", broken, CUDNN_CONSEQUENCE);
                dnn.close();
                dnn = null;
            }
            this.cudnn = dnn;
            this.ops = broken == null ? withCudnn : opsWith(null, tf32, deterministic);
            this.providers = "gemm " + (cublas == null ? "own sgemm" : cublas.tf32() ? "cuBLAS (TF32)" : "cuBLAS")
                    + ", conv/pool/batch-norm " + (cudnn == null ? "own kernels" : tf32 ? "cuDNN (TF32)" : "cuDNN")
                    + ", other ops own kernels" + (deterministic ? ", deterministic" : "");
        } catch (RuntimeException e) {
            releaseAll();
            throw e;
        }
        LOG.debug("{}: {}", name, providers);
    }

    private static final String CUDNN_CONSEQUENCE = "convolution, pooling and batch norm run on the own kernels";

    private CudaOps opsWith(Cudnn dnn, boolean tf32, boolean deterministic) {
        CudnnConv conv = dnn == null ? null : new CudnnConv(dnn, allocator, tf32, deterministic);
        return new CudaOps(this, kernels, cublas, dnn, conv);
    }

    /** A vendor library's wrapper, or null with the reason logged once; VENDOR turns the reason into a failure. */
    private static <T> T vendor(String what, CudaProbe.Availability availability, KernelChoice choice,
                                java.util.function.Supplier<T> create, String consequence) {
        String reason = availability.reason();
        if (availability.available()) {
            try {
                return create.get();
            } catch (RuntimeException | LinkageError e) {  // a status error, or natives that load but do not link
                reason = what + " handle creation failed: " + CudaProbe.describe(e);
            }
        }
        if (choice == KernelChoice.VENDOR) {
            throw new DeviceUnavailableException("--kernels vendor needs " + what + ": " + reason);
        }
        LOG.info("{} not used ({}); {}", what, reason, consequence);
        return null;
    }

    /** Makes this device's context current on the calling thread (cheap when it already is). */
    void bind() {
        if (CURRENT.get() != context) {
            cuCtxSetCurrent(context);
            CURRENT.set(context);
        }
    }

    @Override
    public String name() {
        return name;
    }

    public int ordinal() {
        return ordinal;
    }

    /** Which library serves which ops, e.g. "gemm cuBLAS, conv/pool/batch-norm cuDNN, other ops own kernels". */
    public String providers() {
        return providers;
    }

    public boolean usesCublas() {
        return cublas != null;
    }

    public boolean usesCudnn() {
        return cudnn != null;
    }

    @Override
    public CudaStorage allocate(int numel) {
        if (numel < 0) {
            throw new IllegalArgumentException("negative size: " + numel);
        }
        checkOpen();
        bind();
        return new CudaStorage(this, allocator.take(4L * numel), numel);
    }

    private CudaStorage own(Storage s, String what) {
        if (!(s instanceof CudaStorage c) || c.device() != this) {
            throw new IllegalArgumentException(what + " is not a buffer of " + name + ": " + s.device().name());
        }
        return c;
    }

    private static void checkRange(int length, int off, int count, String what) {
        if (off < 0 || count < 0 || (long) off + count > length) {
            throw new IllegalArgumentException(what + ": range [" + off + ", " + ((long) off + count)
                    + ") outside 0.." + length);
        }
    }

    @Override
    public void copyIn(float[] src, int srcOff, Storage dst, int dstOff, int count) {
        CudaStorage d = own(dst, "copyIn destination");
        checkRange(src.length, srcOff, count, "copyIn source");
        checkRange(d.numel(), dstOff, count, "copyIn destination");
        bind();
        staging.copyIn(src, srcOff, d.pointer(), 4L * dstOff, count);
    }

    @Override
    public void copyOut(Storage src, int srcOff, float[] dst, int dstOff, int count) {
        CudaStorage s = own(src, "copyOut source");
        checkRange(s.numel(), srcOff, count, "copyOut source");
        checkRange(dst.length, dstOff, count, "copyOut destination");
        bind();
        staging.copyOut(s.pointer(), 4L * srcOff, dst, dstOff, count);
    }

    @Override
    public DeviceOps ops() {
        return ops;
    }

    @Override
    public MemoryStats memoryStats() {
        return allocator.stats();
    }

    /** cuMemAlloc calls made so far: a warm training step adds none. */
    public long deviceAllocations() {
        return allocator.mallocCount();
    }

    /** Frees cached pool blocks back to the driver, like torch.cuda.empty_cache(). */
    public void emptyCache() {
        bind();
        synchronize();
        allocator.emptyCache();
    }

    @Override
    public void synchronize() {
        checkOpen();
        bind();
        try {
            cuStreamSynchronize(stream);
        } catch (CudaException e) {
            throw CudaErrors.withDetail(name + ": synchronize", e);
        }
    }

    CudaAllocator allocator() {
        return allocator;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    /** Waits for queued work, then releases handles, modules, the pool cache, the stream and the context. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        bind();
        cuStreamSynchronize(stream);
        closed = true;
        releaseAll();
    }

    private void releaseAll() {
        RuntimeException first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
            }
        }
        CURRENT.remove();
        if (first != null) {
            throw first;
        }
    }

    private static String cString(byte[] b) {
        int len = 0;
        while (len < b.length && b[len] != 0) {
            len++;
        }
        return new String(b, 0, len, StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return name;
    }
}
