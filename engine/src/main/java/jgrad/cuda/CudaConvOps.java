package jgrad.cuda;

import jgrad.device.Conv2dGeometry;
import jgrad.device.Pool2dGeometry;

/**
 * The own-kernel convolution and pooling (used when cuDNN is absent or {@code --kernels own}).
 * Convolution is im2col + GEMM over a chunk of images at a time: the column matrix of a chunk is
 * [C·kh·kw][nb·OH·OW], so one GEMM computes the whole chunk, and two small permutes convert
 * between the GEMM's [K][nb·P] layout and NCHW. Chunks bound the temporary memory to
 * {@link #COL_LIMIT_FLOATS}; temporaries come from the pool and go back once the chunk is queued.
 */
final class CudaConvOps implements ConvPoolKernels {
    /** Column matrix per chunk: 32 Mi floats (128 MiB). */
    static final long COL_LIMIT_FLOATS = 1L << 25;
    /**
     * The limit in force: COL_LIMIT_FLOATS, lowered only by tests on the CUDA simulator, which
     * reach the chunked path at sizes it can run in seconds (see {@link #limitColumnsForTests}).
     */
    private static volatile long columnLimitFloats = COL_LIMIT_FLOATS;
    private static final int REDUCE_THREADS = 256;

    private final CudaDevice device;
    private final CudaKernels k;
    private final CudaOps ops;

    CudaConvOps(CudaDevice device, CudaKernels kernels, CudaOps ops) {
        this.device = device;
        this.k = kernels;
        this.ops = ops;
    }

    /** Sets the column limit until the returned handle is closed (tests only; not thread-safe across tests). */
    static AutoCloseable limitColumnsForTests(long floats) {
        if (floats < 1) {
            throw new IllegalArgumentException("column limit must be positive, got " + floats);
        }
        columnLimitFloats = floats;
        return () -> columnLimitFloats = COL_LIMIT_FLOATS;
    }

    /** Images per chunk so that the column matrix stays within the column limit (at least one). */
    static int chunkImages(Conv2dGeometry g) {
        long perImage = (long) g.inChannels() * g.kernelH() * g.kernelW() * g.outH() * g.outW();
        if (perImage > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv2d: the column matrix of one image has " + perImage
                    + " elements, more than 2^31-1: " + g);
        }
        return (int) Math.max(1, Math.min(g.batch(), columnLimitFloats / Math.max(1, perImage)));
    }

    private CudaKernels.Kernel im2col(Conv2dGeometry g, CudaStorage x, int n0, int nb, CudaStorage col) {
        long imageSize = (long) g.inChannels() * g.height() * g.width();
        return k.im2col.args().ptr(x, n0 * imageSize).ptr(col).i32(nb).i32(g.inChannels()).i32(g.height())
                .i32(g.width()).i32(g.kernelH()).i32(g.kernelW()).i32(g.strideH()).i32(g.strideW()).i32(g.padH())
                .i32(g.padW()).i32(g.outH()).i32(g.outW());
    }

    private static long colElements(Conv2dGeometry g, int nb) {
        return (long) g.inChannels() * g.kernelH() * g.kernelW() * nb * g.outH() * g.outW();
    }

    private CudaStorage temp(long numel) {
        return device.allocate(Math.toIntExact(numel));
    }

    @Override
    public void forward(Conv2dGeometry g, CudaStorage x, CudaStorage w, CudaStorage bias, CudaStorage y) {
        int nbMax = chunkImages(g);
        int ckk = g.inChannels() * g.kernelH() * g.kernelW();
        int kOut = g.outChannels();
        int plane = g.outH() * g.outW();
        try (CudaStorage col = temp(colElements(g, nbMax)); CudaStorage yt = temp((long) kOut * nbMax * plane)) {
            for (int n0 = 0; n0 < g.batch(); n0 += nbMax) {
                int nb = Math.min(nbMax, g.batch() - n0);
                long cols = (long) nb * plane;
                im2col(g, x, n0, nb, col).launchFor(colElements(g, nb));
                // Y'[K][nb·P] = W[K][C·kh·kw] · col
                ops.gemmAt(false, false, kOut, (int) cols, ckk, 1f, w, 0, col, 0, 0f, yt, 0);
                k.cnhwToNchw.args().ptr(yt).ptrOrNull(bias).ptr(y, (long) n0 * kOut * plane).i32(nb).i32(kOut)
                        .i32(plane).i32(bias != null).launchFor((long) nb * kOut * plane);
            }
        }
    }

    @Override
    public void backwardData(Conv2dGeometry g, CudaStorage dy, CudaStorage w, CudaStorage dx, boolean accumulate) {
        int nbMax = chunkImages(g);
        int ckk = g.inChannels() * g.kernelH() * g.kernelW();
        int kOut = g.outChannels();
        int plane = g.outH() * g.outW();
        long imageSize = (long) g.inChannels() * g.height() * g.width();
        try (CudaStorage dcol = temp(colElements(g, nbMax)); CudaStorage dyt = temp((long) kOut * nbMax * plane)) {
            for (int n0 = 0; n0 < g.batch(); n0 += nbMax) {
                int nb = Math.min(nbMax, g.batch() - n0);
                long cols = (long) nb * plane;
                k.nchwToCnhw.args().ptr(dy, (long) n0 * kOut * plane).ptr(dyt).i32(nb).i32(kOut).i32(plane)
                        .launchFor((long) nb * kOut * plane);
                // dcol[C·kh·kw][nb·P] = Wᵀ · dY'
                ops.gemmAt(true, false, ckk, (int) cols, kOut, 1f, w, 0, dyt, 0, 0f, dcol, 0);
                k.col2im.args().ptr(dcol).ptr(dx, n0 * imageSize).i32(nb).i32(g.inChannels()).i32(g.height())
                        .i32(g.width()).i32(g.kernelH()).i32(g.kernelW()).i32(g.strideH()).i32(g.strideW())
                        .i32(g.padH()).i32(g.padW()).i32(g.outH()).i32(g.outW()).i32(accumulate)
                        .launchFor(nb * imageSize);
            }
        }
    }

    @Override
    public void backwardFilter(Conv2dGeometry g, CudaStorage x, CudaStorage dy, CudaStorage dw, CudaStorage dbias,
                        boolean accumulate) {
        int nbMax = chunkImages(g);
        int ckk = g.inChannels() * g.kernelH() * g.kernelW();
        int kOut = g.outChannels();
        int plane = g.outH() * g.outW();
        try (CudaStorage col = temp(colElements(g, nbMax)); CudaStorage dyt = temp((long) kOut * nbMax * plane)) {
            for (int n0 = 0; n0 < g.batch(); n0 += nbMax) {
                int nb = Math.min(nbMax, g.batch() - n0);
                long cols = (long) nb * plane;
                im2col(g, x, n0, nb, col).launchFor(colElements(g, nb));
                k.nchwToCnhw.args().ptr(dy, (long) n0 * kOut * plane).ptr(dyt).i32(nb).i32(kOut).i32(plane)
                        .launchFor((long) nb * kOut * plane);
                // dW[K][C·kh·kw] (= or +=) dY' · colᵀ; later chunks always add.
                float beta = n0 == 0 && !accumulate ? 0f : 1f;
                ops.gemmAt(false, true, kOut, ckk, (int) cols, 1f, dyt, 0, col, 0, beta, dw, 0);
            }
        }
        if (dbias != null) {
            k.channelSum.args().ptr(dy).ptr(dbias).i32(g.batch()).i32(kOut).i32(plane).i32(accumulate)
                    .launch(kOut, REDUCE_THREADS, REDUCE_THREADS * 8);
        }
    }

    private static CudaKernels.Kernel poolShape(CudaKernels.Kernel kernel, Pool2dGeometry g) {
        return kernel.i32(g.batch()).i32(g.channels()).i32(g.height()).i32(g.width()).i32(g.kernelH())
                .i32(g.kernelW()).i32(g.strideH()).i32(g.strideW()).i32(g.padH()).i32(g.padW()).i32(g.outH())
                .i32(g.outW());
    }

    @Override
    public void maxPoolForward(Pool2dGeometry g, CudaStorage x, CudaStorage y) {
        poolShape(k.maxPoolForward.args().ptr(x).ptr(y), g).launchFor(g.outputNumel());
    }

    @Override
    public void maxPoolBackward(Pool2dGeometry g, CudaStorage x, CudaStorage y, CudaStorage dy, CudaStorage dx,
                         boolean accumulate) {
        poolShape(k.maxPoolBackward.args().ptr(x).ptr(y).ptr(dy).ptr(dx), g).i32(accumulate)
                .launchFor(g.inputNumel());
    }

    @Override
    public void avgPoolForward(Pool2dGeometry g, CudaStorage x, CudaStorage y) {
        poolShape(k.avgPoolForward.args().ptr(x).ptr(y), g).launchFor(g.outputNumel());
    }

    @Override
    public void avgPoolBackward(Pool2dGeometry g, CudaStorage dy, CudaStorage dx, boolean accumulate) {
        poolShape(k.avgPoolBackward.args().ptr(dy).ptr(dx), g).i32(accumulate).launchFor(g.inputNumel());
    }
}
