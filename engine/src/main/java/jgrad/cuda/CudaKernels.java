package jgrad.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The own kernels: loads the PTX shipped in jgrad-kernels (resources jgrad/kernels/*.ptx, built by
 * kernels/build-ptx.sh), looks every function up once, and launches them on the device's stream.
 * Each field is one {@code extern "C" __global__} function; its signature string lists the
 * parameter types in order (p pointer, i int, f float, l 64-bit integer) and must match the .cu:
 * a launch with the wrong argument count or types fails here, before reaching the driver.
 */
final class CudaKernels implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CudaKernels.class);
    /** PTX files, one per .cu in kernels/src/main/cuda. */
    static final List<String> MODULES = List.of("elementwise", "reduce", "nn", "optim", "gemm", "conv");
    /** Threads per block of the grid-stride kernels. */
    static final int BLOCK = 256;
    /** Grid-stride loops cover any size; more blocks than this only add scheduling overhead. */
    private static final long MAX_GRID = 65_536;

    /** One kernel function: the .cu it is in, its name, its parameter types (see the class comment). */
    record Spec(String module, String function, String signature) {}

    /** Every kernel the Java side launches; CudaKernelsPtxTest checks each against the shipped PTX. */
    static final List<Spec> SPECS = List.of(
            new Spec("elementwise", "fill_f32", "pfi"),
            new Spec("elementwise", "copy_f32", "pipii"),
            new Spec("elementwise", "unary_forward", "ippi"),
            new Spec("elementwise", "unary_backward", "ipppii"),
            new Spec("elementwise", "binary_op", "ipppi"),
            new Spec("elementwise", "axpby", "fpfpi"),
            new Spec("elementwise", "add_row_vector", "pppii"),
            new Spec("reduce", "sum_rows", "ppiii"),
            new Spec("reduce", "sum_all", "ppi"),
            new Spec("reduce", "argmax_rows", "ppii"),
            new Spec("reduce", "flag_nonfinite", "pipif"),
            new Spec("nn", "softmax_xent_rows", "ppppii"),
            new Spec("nn", "softmax_xent_mean", "ppi"),
            new Spec("nn", "softmax_xent_backward", "ppppiii"),
            new Spec("nn", "gather_rows", "pppiii"),
            new Spec("nn", "dropout_forward", "pppifl"),
            new Spec("nn", "batchnorm_forward", "ppppppppiiiffi"),
            new Spec("nn", "batchnorm_backward", "ppppppppiiiii"),
            new Spec("optim", "sgd_update", "ppiff"),
            new Spec("optim", "momentum_update", "pppifff"),
            new Spec("optim", "adagrad_update", "pppifff"),
            new Spec("optim", "adam_update", "ppppiffffff"),
            new Spec("gemm", "sgemm_tiled", "iiiiifpipifpi"),
            new Spec("conv", "im2col", "ppiiiiiiiiiiii"),
            new Spec("conv", "col2im", "ppiiiiiiiiiiiii"),
            new Spec("conv", "nchw_to_cnhw", "ppiii"),
            new Spec("conv", "cnhw_to_nchw", "pppiiii"),
            new Spec("conv", "channel_sum", "ppiiii"),
            new Spec("conv", "maxpool_forward", "ppiiiiiiiiiiii"),
            new Spec("conv", "maxpool_backward", "ppppiiiiiiiiiiiii"),
            new Spec("conv", "avgpool_forward", "ppiiiiiiiiiiii"),
            new Spec("conv", "avgpool_backward", "ppiiiiiiiiiiiii"));

    private final Map<String, CUmodule> modules = new HashMap<>();
    private final CUstream stream;

    // elementwise.cu
    final Kernel fill;
    final Kernel copy;
    final Kernel unaryForward;
    final Kernel unaryBackward;
    final Kernel binary;
    final Kernel axpby;
    final Kernel addRowVector;
    // reduce.cu
    final Kernel sumRows;
    final Kernel sumAll;
    final Kernel argmaxRows;
    final Kernel flagNonFinite;
    // nn.cu
    final Kernel softmaxXentRows;
    final Kernel softmaxXentMean;
    final Kernel softmaxXentBackward;
    final Kernel gatherRows;
    final Kernel dropout;
    final Kernel batchNormForward;
    final Kernel batchNormBackward;
    // optim.cu
    final Kernel sgd;
    final Kernel momentum;
    final Kernel adagrad;
    final Kernel adam;
    // gemm.cu
    final Kernel sgemm;
    // conv.cu
    final Kernel im2col;
    final Kernel col2im;
    final Kernel nchwToCnhw;
    final Kernel cnhwToNchw;
    final Kernel channelSum;
    final Kernel maxPoolForward;
    final Kernel maxPoolBackward;
    final Kernel avgPoolForward;
    final Kernel avgPoolBackward;

    CudaKernels(CUstream stream) {
        this.stream = stream;
        try {
            for (String m : MODULES) {
                load(m);
            }
        } catch (RuntimeException e) {
            close();  // unload what did load: the caller never gets an object to close
            throw e;
        }
        fill = kernel("fill_f32");
        copy = kernel("copy_f32");
        unaryForward = kernel("unary_forward");
        unaryBackward = kernel("unary_backward");
        binary = kernel("binary_op");
        axpby = kernel("axpby");
        addRowVector = kernel("add_row_vector");
        sumRows = kernel("sum_rows");
        sumAll = kernel("sum_all");
        argmaxRows = kernel("argmax_rows");
        flagNonFinite = kernel("flag_nonfinite");
        softmaxXentRows = kernel("softmax_xent_rows");
        softmaxXentMean = kernel("softmax_xent_mean");
        softmaxXentBackward = kernel("softmax_xent_backward");
        gatherRows = kernel("gather_rows");
        dropout = kernel("dropout_forward");
        batchNormForward = kernel("batchnorm_forward");
        batchNormBackward = kernel("batchnorm_backward");
        sgd = kernel("sgd_update");
        momentum = kernel("momentum_update");
        adagrad = kernel("adagrad_update");
        adam = kernel("adam_update");
        sgemm = kernel("sgemm_tiled");
        im2col = kernel("im2col");
        col2im = kernel("col2im");
        nchwToCnhw = kernel("nchw_to_cnhw");
        cnhwToNchw = kernel("cnhw_to_nchw");
        channelSum = kernel("channel_sum");
        maxPoolForward = kernel("maxpool_forward");
        maxPoolBackward = kernel("maxpool_backward");
        avgPoolForward = kernel("avgpool_forward");
        avgPoolBackward = kernel("avgpool_backward");
    }

    /**
     * Names a folder whose {@code <module>.ptx} files replace the jar's PTX (kernel work, and trying
     * a mutated PTX against the simulator). The environment variable wins over the system property.
     */
    static final String KERNELS_DIR_ENV = "JGRAD_KERNELS_DIR";
    static final String KERNELS_DIR_PROPERTY = "jgrad.kernels.dir";
    private static boolean loggedOverride;

    /** The PTX text of one module: from {@link #KERNELS_DIR_ENV} when set, else as shipped in the jar. */
    static byte[] ptx(String module) {
        String dir = System.getenv(KERNELS_DIR_ENV);
        String source = KERNELS_DIR_ENV;
        if (dir == null || dir.isBlank()) {
            dir = System.getProperty(KERNELS_DIR_PROPERTY);
            source = "-D" + KERNELS_DIR_PROPERTY;
        }
        return dir == null || dir.isBlank() ? shippedPtx(module) : overridePtx(module, Path.of(dir), source);
    }

    private static byte[] overridePtx(String module, Path dir, String source) {
        Path file = dir.resolve(module + ".ptx");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(source + "=" + dir + " has no " + module
                    + ".ptx (it must hold every module: " + String.join(", ", MODULES) + ")");
        }
        synchronized (CudaKernels.class) {
            if (!loggedOverride) {
                loggedOverride = true;
                LOG.warn("own kernels loaded from {} ({}), not from the jgrad-kernels jar", dir, source);
            }
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    /** The PTX text of one module, as shipped in the jgrad-kernels jar. */
    static byte[] shippedPtx(String module) {
        String path = "/jgrad/kernels/" + module + ".ptx";
        try (InputStream in = CudaKernels.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("PTX resource " + path + " missing: is jgrad-kernels on the classpath?");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }

    private void load(String name) {
        byte[] text = ptx(name);
        // cuModuleLoadData reads PTX as a NUL-terminated string.
        byte[] z = java.util.Arrays.copyOf(text, text.length + 1);
        CUmodule m = new CUmodule();
        cuModuleLoadData(m, z);
        modules.put(name, m);
    }

    private Kernel kernel(String function) {
        Spec spec = SPECS.stream().filter(k -> k.function().equals(function)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no kernel spec for " + function));
        CUfunction f = new CUfunction();
        cuModuleGetFunction(f, modules.get(spec.module()), function);
        return new Kernel(function, f, spec.signature(), stream);
    }

    /** Blocks of {@link #BLOCK} threads for a grid-stride loop over n elements (0 when n is 0). */
    static int gridFor(long n) {
        return (int) Math.min(MAX_GRID, (n + BLOCK - 1) / BLOCK);
    }

    @Override
    public void close() {
        for (CUmodule m : modules.values()) {
            cuModuleUnload(m);
        }
        modules.clear();
    }

    /**
     * One kernel with preallocated argument slots. The kernelParams pointer array is built once
     * and points at one small Java array per parameter; a launch writes the values into those
     * arrays and JCuda reads them at the call, so the hot path allocates nothing. Not
     * thread-safe: the device's single stream serialises use anyway.
     *
     * <p>Use: {@code k.args().ptr(x).f32(v).i32(n).launch(grid, block)}. {@link #args()} resets
     * the cursor, so an argument error thrown half-way leaves the kernel usable.
     */
    static final class Kernel {
        private final String name;
        private final CUfunction function;
        private final CUstream stream;
        private final char[] types;
        private final Object[] slots;
        private final Pointer params;
        private int next;

        Kernel(String name, CUfunction function, String signature, CUstream stream) {
            this.name = name;
            this.function = function;
            this.stream = stream;
            this.types = signature.toCharArray();
            this.slots = new Object[types.length];
            Pointer[] ptrs = new Pointer[types.length];
            for (int i = 0; i < types.length; i++) {
                switch (types[i]) {
                    case 'p', 'l' -> {
                        long[] a = new long[1];
                        slots[i] = a;
                        ptrs[i] = Pointer.to(a);
                    }
                    case 'i' -> {
                        int[] a = new int[1];
                        slots[i] = a;
                        ptrs[i] = Pointer.to(a);
                    }
                    case 'f' -> {
                        float[] a = new float[1];
                        slots[i] = a;
                        ptrs[i] = Pointer.to(a);
                    }
                    default -> throw new IllegalArgumentException("bad signature " + signature + " for " + name);
                }
            }
            this.params = Pointer.to(ptrs);
        }

        String name() {
            return name;
        }

        /** Starts a new argument list. */
        Kernel args() {
            next = 0;
            return this;
        }

        private int slot(char type) {
            if (next >= types.length || types[next] != type) {
                throw new IllegalStateException(name + ": argument " + next + " is not of type " + type
                        + " (signature " + new String(types) + ")");
            }
            return next++;
        }

        Kernel ptr(CudaStorage s) {
            return address(s.address());
        }

        /** Element {@code offset} of a storage (in floats). */
        Kernel ptr(CudaStorage s, long offset) {
            return address(s.address() + 4L * offset);
        }

        /** A storage or, for an optional argument, the null pointer. */
        Kernel ptrOrNull(CudaStorage s) {
            return address(s == null ? 0L : s.address());
        }

        Kernel address(long deviceAddress) {
            ((long[]) slots[slot('p')])[0] = deviceAddress;
            return this;
        }

        Kernel i32(int v) {
            ((int[]) slots[slot('i')])[0] = v;
            return this;
        }

        Kernel i32(boolean v) {
            return i32(v ? 1 : 0);
        }

        Kernel f32(float v) {
            ((float[]) slots[slot('f')])[0] = v;
            return this;
        }

        Kernel i64(long v) {
            ((long[]) slots[slot('l')])[0] = v;
            return this;
        }

        /** A grid-stride kernel over n elements. */
        void launchFor(long n) {
            launch(gridFor(n), 1, BLOCK, 0);
        }

        void launch(int grid, int block, int sharedBytes) {
            launch(grid, 1, block, sharedBytes);
        }

        void launch(int gridX, int gridY, int block, int sharedBytes) {
            if (next != types.length) {
                throw new IllegalStateException(name + ": " + next + " of " + types.length + " arguments set");
            }
            next = 0;
            if (gridX == 0 || gridY == 0) {
                return;  // empty problem: CUDA rejects a zero grid
            }
            try {
                cuLaunchKernel(function, gridX, gridY, 1, block, 1, 1, sharedBytes, stream, params, null);
            } catch (CudaException e) {
                throw CudaErrors.withDetail("kernel " + name + " (grid " + gridX + "x" + gridY + ", block " + block
                        + ", " + sharedBytes + " bytes of shared memory)", e);
            }
        }
    }
}
